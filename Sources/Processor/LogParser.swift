import JSON

/// Turns one application log line (a JSON object) into a `RequestEvent`, tolerating the usual
/// spellings (`sessionId`/`session_id`, `status`/`statusCode`/`status_code`, …). A line that is not
/// a JSON object, or has no usable timestamp or path, is unparsable; noise per `FilterRules` is
/// skipped. Neither fails a batch: the processor counts them.
public struct LogParser: Sendable {
    public enum Outcome: Sendable, Equatable {
        case event(RequestEvent)
        case skipped
        case unparsable(String)
    }

    public var rules: FilterRules

    public init(rules: FilterRules = FilterRules()) { self.rules = rules }

    enum Field {
        case timestamp, session, user, path, method, status, responseTime, module, assetType, siteToken, eventID
    }

    static let aliases: [String: Field] = [
        "timestamp": .timestamp, "@timestamp": .timestamp, "time": .timestamp, "ts": .timestamp, "datetime": .timestamp,
        "sessionId": .session, "session_id": .session, "sessionID": .session, "session": .session,
        "user": .user, "userId": .user, "user_id": .user, "userID": .user, "username": .user,
        "path": .path, "url": .path, "uri": .path, "request_path": .path, "requestPath": .path,
        "method": .method, "httpMethod": .method, "http_method": .method,
        "status": .status, "statusCode": .status, "status_code": .status, "httpStatus": .status, "http_status": .status,
        "responseTime": .responseTime, "response_time": .responseTime, "responseTimeMs": .responseTime,
        "response_time_ms": .responseTime, "duration_ms": .responseTime, "latency": .responseTime, "latency_ms": .responseTime,
        "module": .module,
        "assetType": .assetType, "asset_type": .assetType,
        "siteToken": .siteToken, "site_token": .siteToken,
        "eventId": .eventID, "event_id": .eventID, "requestId": .eventID, "request_id": .eventID,
    ]

    /// Parses a line. `cloudWatch` supplies the event id (and a fallback timestamp) when the line
    /// came from a subscription payload; otherwise the id is the line's own `eventId`/`requestId`
    /// or a stable hash of the line, so replaying the same file yields the same ids.
    public func parse(_ line: some Collection<UInt8>, cloudWatch: CloudWatchLogEvent? = nil) -> Outcome {
        let value: JSONValue
        do { value = try JSONParser.parse(line) } catch { return .unparsable("not JSON: \(error.description)") }
        guard case .object(let o) = value else { return .unparsable("not a JSON object") }
        var ts: Int64?
        var session: String?, user: String?, path: String?, method: String?, module: String?, assetType: String?, siteToken: String?
        var status: Int64?, rt: Double?, eventID: String?
        for (k, v) in o {
            guard let f = LogParser.aliases[k] else { continue }
            switch f {
            case .timestamp:
                switch v {
                case .string(let s): ts = UTCTime.parseISO(s) ?? Int64(s).map(LogParser.epochMillis)
                case .int(let n): ts = LogParser.epochMillis(n)
                case .double(let d): ts = LogParser.epochMillis(Int64(d < 1e11 ? d * 1000 : d))
                default: break
                }
            case .session: session = LogParser.text(v)
            case .user: user = LogParser.text(v)
            case .path:
                if let s = v.stringValue { path = s }
            case .method: method = v.stringValue?.uppercased()
            case .status: status = v.int64Value
            case .responseTime: rt = v.doubleValue
            case .module: module = LogParser.text(v)
            case .assetType: assetType = LogParser.text(v)
            case .siteToken: siteToken = LogParser.text(v)
            case .eventID: eventID = LogParser.text(v)
            }
        }
        if ts == nil, let cw = cloudWatch, cw.timestamp > 0 { ts = cw.timestamp }
        guard let ts else { return .unparsable("no valid timestamp") }
        guard var p = path, !p.isEmpty else { return .unparsable("no path") }
        if let q = p.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            p = String(p[..<q])
        }
        if p.hasPrefix("http://") || p.hasPrefix("https://") {
            // A full URL: keep its path.
            let rest = p.dropFirst(p.hasPrefix("https") ? 8 : 7)
            p = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
        }
        if rules.skips(path: p, method: method) { return .skipped }
        let id: String
        if let cw = cloudWatch, !cw.id.isEmpty { id = cw.id } else if let eventID, !eventID.isEmpty { id = eventID } else { id = LogParser.hashID(line) }
        return .event(RequestEvent(eventID: id, timestamp: ts, sessionID: session, user: user, path: p, method: method,
                                   statusCode: status, responseTime: rt, module: module, assetType: assetType, siteToken: siteToken))
    }

    /// Epoch seconds (before year ~5138 in millis, i.e. < 1e11) become millis.
    static func epochMillis(_ n: Int64) -> Int64 { n < 100_000_000_000 && n > -100_000_000_000 ? n * 1000 : n }

    static func text(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s.isEmpty ? nil : s
        case .int(let n): return String(n)
        default: return nil
        }
    }

    /// A stable 128-bit id for a line without one (two FNV-1a-64 passes with different bases),
    /// ignoring surrounding whitespace so CRLF and LF files agree.
    public static func hashID(_ line: some Collection<UInt8>) -> String {
        var h1: UInt64 = 0xcbf2_9ce4_8422_2325
        var h2: UInt64 = 0x8422_2325_cbf2_9ce4
        var pendingSpace = 0
        var started = false
        var spaces: [UInt8] = []
        func mix(_ b: UInt8) {
            h1 = (h1 ^ UInt64(b)) &* 0x0000_0100_0000_01B3
            h2 = (h2 ^ UInt64(b)) &* 0x0000_0100_0000_01B3 ^ (h2 >> 29)
        }
        for b in line {
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A {
                if started { spaces.append(b); pendingSpace += 1 }
                continue
            }
            if pendingSpace > 0 { for s in spaces { mix(s) }; spaces.removeAll(keepingCapacity: true); pendingSpace = 0 }
            started = true
            mix(b)
        }
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<16 {
            out[i] = hex[Int(h1 >> UInt64(60 - 4 * i) & 0xF)]
            out[16 + i] = hex[Int(h2 >> UInt64(60 - 4 * i) & 0xF)]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
