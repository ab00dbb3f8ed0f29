import Index
import JSON
import Security

/// A request as handlers see it: decoded path segments, query parameters and the (inflated) body.
public struct RESTRequest: Sendable {
    public enum Method: String, Sendable { case GET, PUT, POST, DELETE, HEAD }

    public var method: Method
    public var path: String
    public var segments: [String]
    public var params: [String: String]
    public var body: [UInt8]
    /// Path parameters bound by the route (`index`, `id`, …).
    public var pathParams: [String: String] = [:]
    /// The authenticated user; nil when security is off (then nothing is checked).
    public var principal: Principal?
    /// The client's address (`ip:port`), for authinfo.
    public var remoteAddress: String?

    public init(method: Method, path: String, query: String?, body: [UInt8]) {
        self.method = method
        self.path = path
        self.segments = path.split(separator: "/", omittingEmptySubsequences: true).map { RESTRequest.percentDecode(String($0)) }
        self.params = RESTRequest.parseQuery(query)
        self.body = body
    }

    public subscript(path key: String) -> String? { pathParams[key] }

    public var hasBody: Bool { body.contains { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } }

    /// The body parsed as JSON, nil when empty.
    public func json() throws(OpenSearchError) -> JSONValue? {
        guard hasBody else { return nil }
        do { return try JSONParser.parse(body) } catch {
            throw OpenSearchError("parsing_exception", "Failed to parse object: \(error.description)", status: 400,
                                  causedBy: .jsonParse(error))
        }
    }

    /// The body parsed as JSON, required.
    public func requiredJSON() throws(OpenSearchError) -> JSONValue {
        guard let j = try json() else { throw OpenSearchError.parsing("request body is required") }
        return j
    }

    /// OpenSearch's GET-with-body convention for clients that cannot send one (browser links):
    /// with no body, the `source` parameter is the body and `source_content_type` says its type.
    public mutating func adoptSourceParam() throws(OpenSearchError) {
        guard !hasBody, let source = params["source"] else { return }
        guard let type = params["source_content_type"], !type.isEmpty else {
            throw OpenSearchError.illegalArgument("source and source_content_type parameters are required")
        }
        let mediaType = type.split(separator: ";").first.map { String($0.filter { $0 != " " }).lowercased() } ?? ""
        guard mediaType == "application/json" || mediaType == "application/x-ndjson" else {
            throw OpenSearchError("media_type_header_exception", "Content-Type header [\(type)] is not supported", status: 406)
        }
        body = Array(source.utf8)
        params["source"] = nil
        params["source_content_type"] = nil
    }

    public func bool(_ name: String, default d: Bool) throws(OpenSearchError) -> Bool {
        guard let v = params[name] else { return d }
        switch v {
        case "", "true": return true
        case "false": return false
        default: throw OpenSearchError.illegalArgument("Failed to parse value [\(v)] as only [true] or [false] are allowed.")
        }
    }

    public func int64(_ name: String) throws(OpenSearchError) -> Int64? {
        guard let v = params[name] else { return nil }
        guard let i = Int64(v) else { throw OpenSearchError.illegalArgument("Failed to parse long parameter [\(name)] with value [\(v)]") }
        return i
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    static func percentDecode(_ s: String, plusAsSpace: Bool = false) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else { return s }
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hexValue(b[i + 1]), let l = hexValue(b[i + 2]) {
                out.append(h << 4 | l); i += 3
            } else if plusAsSpace && b[i] == UInt8(ascii: "+") {
                out.append(0x20); i += 1
            } else {
                out.append(b[i]); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func parseQuery(_ q: String?) -> [String: String] {
        guard let q, !q.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            if let eq = pair.firstIndex(of: "=") {
                out[percentDecode(String(pair[..<eq]), plusAsSpace: true)] = percentDecode(String(pair[pair.index(after: eq)...]), plusAsSpace: true)
            } else {
                out[percentDecode(String(pair), plusAsSpace: true)] = ""
            }
        }
        return out
    }
}

/// A handler's answer: status plus a JSON body (or raw bytes for non-JSON endpoints).
public struct RESTResponse: Sendable {
    public var status: Int
    public var body: JSONValue?
    public var raw: [UInt8]?
    /// A streamed body: chunks pulled one at a time until nil (CSV exports).
    public var stream: (@Sendable () async throws(OpenSearchError) -> [UInt8]?)?
    public var contentType = "application/json; charset=UTF-8"
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`).
    public var headers: [(String, String)] = []

    public init(_ status: Int = 200, _ body: JSONValue?) {
        self.status = status
        self.body = body
    }

    public init(status: Int, raw: [UInt8], contentType: String) {
        self.status = status
        self.raw = raw
        self.contentType = contentType
    }

    public init(status: Int, stream: @escaping @Sendable () async throws(OpenSearchError) -> [UInt8]?, contentType: String) {
        self.status = status
        self.stream = stream
        self.contentType = contentType
    }

    public static func error(_ e: OpenSearchError) -> RESTResponse { RESTResponse(e.status, e.response) }
    public static let acknowledged = RESTResponse(200, ["acknowledged": true])
}
