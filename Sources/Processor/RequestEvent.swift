import JSON

/// One application request, normalised: the document written to `request-events-YYYY.MM.DD`
/// under `_id` = `eventID`, so a replayed event overwrites itself instead of duplicating.
public struct RequestEvent: Sendable, Equatable {
    public var eventID: String
    public var timestamp: Int64
    public var sessionID: String?
    public var user: String?
    public var path: String
    public var method: String?
    public var statusCode: Int64?
    public var responseTime: Double?
    public var module: String?
    public var assetType: String?
    public var siteToken: String?

    public init(eventID: String, timestamp: Int64, sessionID: String?, user: String?, path: String, method: String? = nil,
                statusCode: Int64? = nil, responseTime: Double? = nil, module: String? = nil, assetType: String? = nil,
                siteToken: String? = nil) {
        self.eventID = eventID
        self.timestamp = timestamp
        self.sessionID = sessionID
        self.user = user
        self.path = path
        self.method = method
        self.statusCode = statusCode
        self.responseTime = responseTime
        self.module = module
        self.assetType = assetType
        self.siteToken = siteToken
    }

    /// Writes the `_source` (field names as the dashboards and `session-summaries` expect them).
    public func write(to w: inout JSONWriter) {
        w.writeRaw("{\"timestamp\":".utf8); w.writeString(UTCTime.format(timestamp))
        if let sessionID { w.writeRaw(",\"session_id\":".utf8); w.writeString(sessionID) }
        if let user { w.writeRaw(",\"user\":".utf8); w.writeString(user) }
        w.writeRaw(",\"path\":".utf8); w.writeString(path)
        if let method { w.writeRaw(",\"method\":".utf8); w.writeString(method) }
        if let statusCode { w.writeRaw(",\"status_code\":".utf8); w.writeRaw(String(statusCode).utf8) }
        if let responseTime {
            w.writeRaw(",\"response_time\":".utf8)
            if responseTime == responseTime.rounded(), abs(responseTime) < 1e15 { w.writeRaw(String(Int64(responseTime)).utf8) } else { w.write(.double(responseTime)) }
        }
        if let module { w.writeRaw(",\"module\":".utf8); w.writeString(module) }
        if let assetType { w.writeRaw(",\"assetType\":".utf8); w.writeString(assetType) }
        if let siteToken { w.writeRaw(",\"siteToken\":".utf8); w.writeString(siteToken) }
        w.writeRaw(",\"event_id\":".utf8); w.writeString(eventID)
        w.writeRaw("}".utf8)
    }

    public var json: JSONValue {
        var w = JSONWriter()
        write(to: &w)
        return (try? JSONParser.parse(w.bytes)) ?? .null
    }
}
