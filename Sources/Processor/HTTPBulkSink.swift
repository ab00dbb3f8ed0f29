import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends batches to a Searchlight or OpenSearch node over HTTP `_bulk`: plain `http://` through
/// `SocketHTTPClient` (keep-alive connections), `https://` through URLSession.
public final class HTTPBulkSink: BulkSink {
    public let baseURL: URL
    let session: URLSession
    let socketClient: SocketHTTPClient?
    let authorization: String?

    /// `authorization`: an `Authorization` header value (`Basic …` or `ApiKey …`) for a server
    /// with security on.
    public init(url: String, authorization: String? = nil) throws(ProcessorError) {
        self.authorization = authorization
        var s = url
        while s.hasSuffix("/") { s.removeLast() }
        guard let u = URL(string: s), u.scheme == "http" || u.scheme == "https" else {
            throw ProcessorError(.sink, "invalid URL [\(url)]")
        }
        baseURL = u
        let config = URLSessionConfiguration.default
        config.timeoutIntervalForRequest = 600
        config.httpMaximumConnectionsPerHost = 8
        session = URLSession(configuration: config)
        socketClient = u.scheme == "http" ? SocketHTTPClient(host: u.host ?? "127.0.0.1", port: UInt16(u.port ?? 80),
                                                                     authorization: authorization) : nil
    }

    func send(_ method: String, _ path: String, body: [UInt8], contentType: String) async throws(ProcessorError) -> (Int, [UInt8]) {
        if let socketClient { return try await socketClient.request(method, baseURL.path + path, body: body, contentType: contentType) }
        var req = URLRequest(url: URL(string: baseURL.absoluteString + path)!)
        req.httpMethod = method
        req.httpBody = Data(body)
        req.setValue(contentType, forHTTPHeaderField: "Content-Type")
        if let authorization { req.setValue(authorization, forHTTPHeaderField: "Authorization") }
        do {
            let (data, response) = try await session.data(for: req)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, [UInt8](data))
        } catch {
            throw ProcessorError(.sink, "\(method) \(baseURL.absoluteString)\(path) failed: \(error.localizedDescription)")
        }
    }

    public func ensureIndex(_ name: String, body: String) async throws(ProcessorError) {
        let (status, _) = try await send("HEAD", "/\(name)", body: [], contentType: "application/json")
        if status == 200 { return }
        let (created, response) = try await send("PUT", "/\(name)", body: Array(body.utf8), contentType: "application/json")
        // 400 resource_already_exists_exception: another ingester won the race.
        if created == 200 || (created == 400 && String(decoding: response, as: UTF8.self).contains("resource_already_exists")) { return }
        throw ProcessorError(.sink, "PUT /\(name) answered \(created): \(String(decoding: response.prefix(300), as: UTF8.self))")
    }

    public func bulk(_ body: [UInt8]) async throws(ProcessorError) -> BulkOutcome {
        let (status, response) = try await send("POST", "/_bulk", body: body, contentType: "application/x-ndjson")
        guard status == 200 else {
            throw ProcessorError(.sink, "_bulk answered \(status): \(String(decoding: response.prefix(300), as: UTF8.self))")
        }
        return try BulkOutcome.parse(response)
    }
}
