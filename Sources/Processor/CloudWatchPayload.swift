import JSON
import Storage

/// A CloudWatch Logs subscription delivery, as a Lambda or Firehose receives it:
/// `{"awslogs":{"data":"<base64 of gzip of {messageType, owner, logGroup, logStream,
/// subscriptionFilters, logEvents:[{id, timestamp, message}]}>"}}`. `CONTROL_MESSAGE`s (sent when a
/// subscription is created, to check the destination) carry no application logs.
public struct CloudWatchPayload: Sendable, Equatable {
    public var messageType: String
    public var owner: String
    public var logGroup: String
    public var logStream: String
    public var subscriptionFilters: [String]
    public var logEvents: [CloudWatchLogEvent]

    /// Inflated payloads larger than this are refused (a small body must not expand without bound).
    public static let maxInflatedBytes = 512 * 1024 * 1024

    public init(messageType: String = "DATA_MESSAGE", owner: String = "000000000000", logGroup: String, logStream: String,
                subscriptionFilters: [String] = ["searchlight"], logEvents: [CloudWatchLogEvent]) {
        self.messageType = messageType
        self.owner = owner
        self.logGroup = logGroup
        self.logStream = logStream
        self.subscriptionFilters = subscriptionFilters
        self.logEvents = logEvents
    }

    public var isControlMessage: Bool { messageType == "CONTROL_MESSAGE" }

    /// Decodes a delivery: the `{"awslogs":{"data":…}}` envelope, or an already inflated
    /// payload object (what `aws logs` tooling and tests often store in files).
    public static func decode(_ body: some Collection<UInt8>) throws(ProcessorError) -> CloudWatchPayload {
        let outer: JSONValue
        do { outer = try JSONParser.parse(body) } catch {
            throw ProcessorError(.badJSON, "request body is not JSON: \(error.description)")
        }
        if outer["logEvents"] != nil || outer["messageType"] != nil { return try fromJSON(outer) }
        guard let data = outer["awslogs"]?["data"]?.stringValue else {
            throw ProcessorError(.badPayload, "expected {\"awslogs\":{\"data\":\"<base64 gzip>\"}} or a decoded payload with logEvents")
        }
        return try decodeData(data)
    }

    /// Decodes `awslogs.data`: base64, then gzip, then the payload JSON.
    public static func decodeData(_ data: String) throws(ProcessorError) -> CloudWatchPayload {
        let compressed = try Base64.decode(data.utf8)
        let inflated: [UInt8]
        do { inflated = try Gzip.decompress(compressed, limit: maxInflatedBytes) } catch {
            throw ProcessorError(.badGzip, "awslogs.data is not a gzip stream: \(error.message)")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(inflated) } catch {
            throw ProcessorError(.badJSON, "inflated awslogs.data is not JSON: \(error.description)")
        }
        return try fromJSON(json)
    }

    static func fromJSON(_ json: JSONValue) throws(ProcessorError) -> CloudWatchPayload {
        guard case .object(let o) = json else { throw ProcessorError(.badPayload, "payload is not a JSON object") }
        let messageType = o["messageType"]?.stringValue ?? "DATA_MESSAGE"
        var events: [CloudWatchLogEvent] = []
        if let list = o["logEvents"] {
            guard case .array(let items) = list else { throw ProcessorError(.badPayload, "logEvents is not an array") }
            events.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                guard let message = item["message"]?.stringValue else {
                    throw ProcessorError(.badPayload, "logEvents[\(i)] has no string message")
                }
                let id: String
                switch item["id"] {
                case .string(let s)?: id = s
                case .int(let n)?: id = String(n)
                default: id = ""
                }
                events.append(CloudWatchLogEvent(id: id, timestamp: item["timestamp"]?.int64Value ?? 0, message: message))
            }
        } else if messageType != "CONTROL_MESSAGE" {
            throw ProcessorError(.badPayload, "payload has no logEvents")
        }
        return CloudWatchPayload(messageType: messageType, owner: o["owner"]?.stringValue ?? "",
                                 logGroup: o["logGroup"]?.stringValue ?? "", logStream: o["logStream"]?.stringValue ?? "",
                                 subscriptionFilters: o["subscriptionFilters"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                 logEvents: events)
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("messageType", .string(messageType)), ("owner", .string(owner)), ("logGroup", .string(logGroup)),
            ("logStream", .string(logStream)), ("subscriptionFilters", .array(subscriptionFilters.map { .string($0) })),
            ("logEvents", .array(logEvents.map { e in
                .object(JSONObject([("id", .string(e.id)), ("timestamp", .int(e.timestamp)), ("message", .string(e.message))]))
            })),
        ]))
    }

    /// The `{"awslogs":{"data":…}}` envelope CloudWatch would deliver for this payload.
    public func encodedEnvelope() throws(ProcessorError) -> [UInt8] {
        let gz: [UInt8]
        do { gz = try Gzip.compress(JSONWriter.serialize(json)) } catch { throw ProcessorError(.badGzip, error.message) }
        return JSONWriter.serialize(.object(JSONObject([("awslogs", .object(JSONObject([("data", .string(Base64.encode(gz)))])))])))
    }
}
