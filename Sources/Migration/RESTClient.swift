import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSON
import Processor

/// One cluster's REST API: `http://` over `SocketHTTPClient`'s keep-alive connections (what
/// `searchlight ingest` uses), `https://` through URLSession. Connection failures, 429 and 502-504
/// are retried with backoff — every request a migration sends is safe to repeat.
public final class RESTClient: @unchecked Sendable {
    // Invariant: every stored property is immutable after init; the two clients are thread-safe.
    public let base: String
    let basePath: String
    let socket: SocketHTTPClient?
    let session: URLSession?
    let authorization: String?
    let retries: Int

    /// `authorization`: an `Authorization` header value; credentials in the URL
    /// (`https://user:pass@host`) are used when none is given.
    public init(url: String, authorization: String?, retries: Int = 5) throws(MigrationError) {
        var s = url
        while s.hasSuffix("/") { s.removeLast() }
        guard var comps = URLComponents(string: s), comps.scheme == "http" || comps.scheme == "https", let host = comps.host, !host.isEmpty else {
            throw .failed("invalid URL [\(url)]: expected http://host:port or https://host:port")
        }
        var auth = authorization
        if auth == nil, let user = comps.user {
            auth = "Basic " + Data("\(user.removingPercentEncoding ?? user):\(comps.password?.removingPercentEncoding ?? "")".utf8).base64EncodedString()
        }
        comps.user = nil
        comps.password = nil
        self.authorization = auth
        self.retries = retries
        base = comps.string ?? s
        basePath = comps.path
        if comps.scheme == "http" {
            socket = SocketHTTPClient(host: host, port: UInt16(comps.port ?? 80), authorization: auth)
            session = nil
        } else {
            socket = nil
            let config = URLSessionConfiguration.default
            config.timeoutIntervalForRequest = 600
            session = URLSession(configuration: config)
        }
    }

    /// Status and body. `path` starts with `/` and carries the query string.
    public func send(_ method: String, _ path: String, body: [UInt8] = [], contentType: String = "application/json") async throws(MigrationError) -> (Int, [UInt8]) {
        var attempt = 0
        while true {
            var result: (Int, [UInt8])? = nil
            var failure = ""
            do throws(MigrationError) {
                result = try await once(method, path, body: body, contentType: contentType)
            } catch {
                failure = error.description
            }
            if let result, ![429, 502, 503, 504].contains(result.0) { return result }
            attempt += 1
            if attempt > retries {
                if let result { return result }
                throw .failed(failure)
            }
            try? await Task.sleep(for: .milliseconds(200 << min(attempt, 6)))
        }
    }

    func once(_ method: String, _ path: String, body: [UInt8], contentType: String) async throws(MigrationError) -> (Int, [UInt8]) {
        if let socket {
            do throws(ProcessorError) {
                return try await socket.request(method, basePath + path, body: body, contentType: contentType)
            } catch {
                throw .failed("\(method) \(base)\(path): \(error.message)")
            }
        }
        guard let session, let url = URL(string: base + path) else { throw .failed("bad path \(path)") }
        var req = URLRequest(url: url)
        req.httpMethod = method
        if !body.isEmpty || method == "POST" || method == "PUT" { req.httpBody = Data(body) }
        req.setValue(contentType, forHTTPHeaderField: "Content-Type")
        if let authorization { req.setValue(authorization, forHTTPHeaderField: "Authorization") }
        do {
            let (data, response) = try await session.data(for: req)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, [UInt8](data))
        } catch {
            throw .failed("\(method) \(base)\(path) failed: \(error.localizedDescription)")
        }
    }

    /// Status and parsed JSON body (nil when empty or not JSON).
    public func json(_ method: String, _ path: String, _ body: JSONValue? = nil) async throws(MigrationError) -> (Int, JSONValue?) {
        let (status, bytes) = try await send(method, path, body: body.map { JSONWriter.serialize($0) } ?? [])
        return (status, bytes.isEmpty ? nil : try? JSONParser.parse(bytes))
    }

    /// The JSON body of a 2xx answer; anything else is a failure naming `what`.
    public func expect(_ method: String, _ path: String, _ body: JSONValue? = nil, _ what: String) async throws(MigrationError) -> JSONValue {
        let (status, json) = try await self.json(method, path, body)
        guard (200..<300).contains(status) else { throw .failed("\(what): \(method) \(path) answered \(status) \(RESTClient.reason(json))") }
        return json ?? .null
    }

    /// An error body's `error.reason` (or the body itself, shortened).
    public static func reason(_ json: JSONValue?) -> String {
        if let r = json?["error"]?["reason"]?.stringValue { return r }
        if let e = json?["error"]?.stringValue { return e }
        return json.map { String(JSONWriter.string($0).prefix(300)) } ?? ""
    }

    /// A path segment (index, template or alias name) percent-encoded.
    public static func segment(_ s: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
