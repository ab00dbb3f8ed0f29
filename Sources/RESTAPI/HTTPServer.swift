import Hummingbird
import HTTPTypes
import Index
import JSON
import Logging
import Node
import NIOCore
import Security
import Storage

/// Hummingbird glue: turns HTTP requests into `RESTRequest`s (body size limit, gzip inflate,
/// method mapping) and `RESTResponse`s back into HTTP, with `?pretty` support. In front of that:
/// the per-client in-flight limit (429) and, with security on, authentication (401, or 429 for
/// a client blocked after failed logins) before the body is read.
public struct SearchlightResponder: HTTPResponder {
    public typealias Context = SearchlightRequestContext
    public let api: SearchlightAPI
    public let maxContentLength: Int
    public let security: SecurityGate?
    public let limiter: ClientLimiter?
    /// The budget for bodies of all requests in flight (429 past it).
    public let inFlight: InFlightBodies
    let logger: Logger

    /// `maxInFlightBytes`: default 512 MiB, or the content length limit when that is larger, so
    /// one body of the largest accepted size always fits.
    public init(api: SearchlightAPI, maxContentLength: Int = 100 * 1024 * 1024, security: SecurityGate? = nil,
                limiter: ClientLimiter? = nil, maxInFlightBytes: Int? = nil, logger: Logger = Logger(label: "searchlight.http")) {
        self.api = api
        self.maxContentLength = maxContentLength
        self.security = security
        self.limiter = limiter
        self.inFlight = InFlightBodies(limit: maxInFlightBytes ?? max(512 * 1024 * 1024, maxContentLength))
        self.logger = logger
    }

    public func respond(to request: Request, context: SearchlightRequestContext) async throws -> Response {
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        let isHead = request.method == .head
        guard let limiter else { return await respond(request, context, client: client) }
        guard await limiter.acquire(client) else {
            let e = OpenSearchError("rejected_execution_exception",
                                    "rejected execution: client [\(client)] already has [\(limiter.limit)] requests in flight (--max-concurrent-per-client)",
                                    status: 429)
            return encode(.error(e), pretty: false, head: isHead)
        }
        let response = await respond(request, context, client: client)
        await limiter.release(client)
        return response
    }

    func respond(_ request: Request, _ context: SearchlightRequestContext, client: String) async -> Response {
        let rest: RESTResponse
        let pretty: Bool
        let isHead = request.method == .head
        do {
            var principal: Principal?
            if let security {
                switch await authenticate(request, security, client: client) {
                case .success(let p): principal = p
                case .failure(let answer): return encode(answer, pretty: false, head: isHead)
                }
            }
            let (decoded, reserved) = try await decode(request)
            defer { inFlight.release(reserved) }
            var req = decoded
            req.principal = principal
            if let a = context.remoteAddress, let ip = a.ipAddress { req.remoteAddress = "\(ip):\(a.port ?? 0)" }
            pretty = req.params["pretty"].map { $0 != "false" } ?? false
            rest = await api.handle(req)
        } catch let e as OpenSearchError {
            pretty = false
            rest = .error(e)
        } catch {
            pretty = false
            rest = .error(OpenSearchError("exception", "\(error)", status: 500))
        }
        if rest.status >= 500 {
            // Server-side failures are for the operator too, not only the client.
            let error = rest.body?["error"]
            logger.error("request failed", metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path), "status": .stringConvertible(rest.status),
                "client": .string(client), "error.type": .string(error?["type"]?.stringValue ?? ""),
                "error.reason": .string(error?["reason"]?.stringValue ?? ""),
            ])
        }
        return encode(rest, pretty: pretty, head: isHead)
    }

    /// Failure carries the answer: 401 with the challenge, or 429 while the client is blocked.
    enum AuthOutcome { case success(Principal), failure(RESTResponse) }

    func authenticate(_ request: Request, _ security: SecurityGate, client: String) async -> AuthOutcome {
        if let wait = await security.throttle.retryAfter(client) {
            var r = RESTResponse.error(RoutePermissions.openSearchError(.throttled(retryAfter: wait)))
            r.headers = [("Retry-After", String(wait))]
            return .failure(r)
        }
        guard let credentials = Credentials.parse(request.headers[.authorization]) else { return .failure(SearchlightResponder.unauthorized) }
        do {
            let p = try await security.authenticator.authenticate(credentials)
            await security.throttle.recordSuccess(client)
            return .success(p)
        } catch {
            let blocked = await security.throttle.recordFailure(client)
            logger.warning("failed login for [\(credentials.subject)] from \(client)\(blocked ? "; client blocked" : "")")
            return .failure(SearchlightResponder.unauthorized)
        }
    }

    /// The security plugin's 401: plain `Unauthorized` with a basic-auth challenge.
    static let unauthorized: RESTResponse = {
        var r = RESTResponse(status: 401, raw: Array("Unauthorized".utf8), contentType: "text/plain; charset=UTF-8")
        r.headers = [("WWW-Authenticate", "Basic realm=\"OpenSearch Security\"")]
        return r
    }()

    /// The request with its body read, and the bytes reserved for it in `inFlight` (the caller
    /// releases them once the request is answered).
    func decode(_ request: Request) async throws -> (RESTRequest, Int) {
        guard let method = RESTRequest.Method(rawValue: request.method.rawValue) else {
            throw OpenSearchError("method_not_allowed", "Incorrect HTTP method [\(request.method.rawValue)]", status: 405)
        }
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let len = declared, len > maxContentLength {
            throw tooLarge(len)
        }
        var body: [UInt8] = []
        if let len = declared, len > 0 { body.reserveCapacity(len) }
        var reserved = 0
        do {
            // Chunk by chunk, so the size limit and the in-flight budget both hold while reading.
            for try await chunk in request.body {
                let n = chunk.readableBytes
                guard body.count + n <= maxContentLength else { throw tooLarge(nil) }
                guard inFlight.reserve(n) else { throw breakerTripped(n) }
                reserved += n
                body.append(contentsOf: chunk.readableBytesView)
            }
        } catch let e as OpenSearchError {
            inFlight.release(reserved)
            throw e
        } catch {
            inFlight.release(reserved)
            throw OpenSearchError.parsing("failed to read the request body: \(error)")
        }
        if let enc = request.headers[.contentEncoding]?.lowercased(), !body.isEmpty {
            do {
                body = try inflate(body, enc)
            } catch {
                inFlight.release(reserved)
                throw error
            }
        }
        return (RESTRequest(method: method, path: request.uri.path, query: request.uri.query, body: body), reserved)
    }

    /// The body after `Content-Encoding` (gzip/deflate; identity).
    func inflate(_ body: [UInt8], _ enc: String) throws(OpenSearchError) -> [UInt8] {
        if enc.contains("gzip") || enc.contains("deflate") {
            do { return try Gzip.decompress(body, limit: maxContentLength) } catch {
                if error.message.contains("exceeds") { throw tooLarge(nil) }
                throw OpenSearchError.illegalArgument("failed to decompress the request body (Content-Encoding: \(enc)): \(error.message)")
            }
        } else if enc != "identity" {
            throw OpenSearchError.illegalArgument("unsupported Content-Encoding [\(enc)]")
        }
        return body
    }

    /// OpenSearch's in-flight requests breaker answer.
    func breakerTripped(_ n: Int) -> OpenSearchError {
        OpenSearchError("circuit_breaking_exception",
                        "[in_flight_requests] Data too large, data for [<http_request>] would be [\(inFlight.bytesInUse + n)/\(inFlight.bytesInUse + n)b], which is larger than the limit of [\(inFlight.limit)/\(inFlight.limit)b]",
                        status: 429)
    }

    func tooLarge(_ len: Int?) -> OpenSearchError {
        OpenSearchError("content_too_long_exception",
                        "request body is larger than http.max_content_length [\(maxContentLength)b]\(len.map { ", got [\($0)b]" } ?? "")",
                        status: 413)
    }

    func encode(_ r: RESTResponse, pretty: Bool, head: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = r.contentType
        for (k, v) in r.headers { if let name = HTTPField.Name(k) { headers[name] = v } }
        let bytes: [UInt8]
        if let raw = r.raw { bytes = raw }
        else if let b = r.body { bytes = pretty ? PrettyJSON.serialize(b) : JSONWriter.serialize(b) }
        else { bytes = [] }
        let status = HTTPResponse.Status(code: r.status)
        if let stream = r.stream, !head {
            return Response(status: status, headers: headers, body: ResponseBody { writer in
                while let chunk = try await stream() {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
        }
        if head || r.body == nil && r.raw == nil {
            headers[.contentLength] = String(head ? bytes.count : 0)
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Indented JSON for `?pretty`.
enum PrettyJSON {
    static func serialize(_ v: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(v, 0, &out)
        out.append(0x0A)
        return out
    }

    static func write(_ v: JSONValue, _ level: Int, _ out: inout [UInt8]) {
        func indent(_ n: Int) { out.append(contentsOf: [UInt8](repeating: 0x20, count: n * 2)) }
        switch v {
        case .array(let a) where !a.isEmpty:
            out.append(contentsOf: Array("[\n".utf8))
            for (i, e) in a.enumerated() {
                indent(level + 1); write(e, level + 1, &out)
                out.append(contentsOf: Array((i + 1 < a.count ? ",\n" : "\n").utf8))
            }
            indent(level); out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            out.append(contentsOf: Array("{\n".utf8))
            for (i, (k, e)) in o.enumerated() {
                indent(level + 1)
                out.append(contentsOf: JSONWriter.serialize(.string(k)))
                out.append(contentsOf: Array(" : ".utf8))
                write(e, level + 1, &out)
                out.append(contentsOf: Array((i + 1 < o.count ? ",\n" : "\n").utf8))
            }
            indent(level); out.append(UInt8(ascii: "}"))
        default:
            out.append(contentsOf: JSONWriter.serialize(v))
        }
    }
}
