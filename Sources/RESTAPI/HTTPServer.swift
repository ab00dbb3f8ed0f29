import Hummingbird
import Index
import JSON
import Logging
import Node
import NIOCore
import Storage

/// Hummingbird glue: turns HTTP requests into `RESTRequest`s (body size limit, gzip inflate,
/// method mapping) and `RESTResponse`s back into HTTP, with `?pretty` support.
public struct SearchlightResponder: HTTPResponder {
    public typealias Context = BasicRequestContext
    public let api: SearchlightAPI
    public let maxContentLength: Int
    let logger: Logger

    public init(api: SearchlightAPI, maxContentLength: Int = 100 * 1024 * 1024, logger: Logger = Logger(label: "searchlight.http")) {
        self.api = api
        self.maxContentLength = maxContentLength
        self.logger = logger
    }

    public func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let rest: RESTResponse
        let pretty: Bool
        let isHead = request.method == .head
        do {
            let req = try await decode(request)
            pretty = req.params["pretty"].map { $0 != "false" } ?? false
            rest = await api.handle(req)
        } catch let e as OpenSearchError {
            pretty = false
            rest = .error(e)
        } catch {
            pretty = false
            rest = .error(OpenSearchError("exception", "\(error)", status: 500))
        }
        return encode(rest, pretty: pretty, head: isHead)
    }

    func decode(_ request: Request) async throws -> RESTRequest {
        guard let method = RESTRequest.Method(rawValue: request.method.rawValue) else {
            throw OpenSearchError("method_not_allowed", "Incorrect HTTP method [\(request.method.rawValue)]", status: 405)
        }
        if let len = request.headers[.contentLength].flatMap({ Int($0) }), len > maxContentLength {
            throw tooLarge(len)
        }
        var req = request
        var body: [UInt8]
        do {
            let buf = try await req.collectBody(upTo: maxContentLength)
            body = Array(buf.readableBytesView)
        } catch {
            throw tooLarge(nil)
        }
        if let enc = request.headers[.contentEncoding]?.lowercased(), !body.isEmpty {
            if enc.contains("gzip") || enc.contains("deflate") {
                do { body = try Gzip.decompress(body, limit: maxContentLength) } catch {
                    if error.message.contains("exceeds") { throw tooLarge(nil) }
                    throw OpenSearchError.illegalArgument("failed to decompress the request body (Content-Encoding: \(enc)): \(error.message)")
                }
            } else if enc != "identity" {
                throw OpenSearchError.illegalArgument("unsupported Content-Encoding [\(enc)]")
            }
        }
        return RESTRequest(method: method, path: request.uri.path, query: request.uri.query, body: body)
    }

    func tooLarge(_ len: Int?) -> OpenSearchError {
        OpenSearchError("content_too_long_exception",
                        "request body is larger than http.max_content_length [\(maxContentLength)b]\(len.map { ", got [\($0)b]" } ?? "")",
                        status: 413)
    }

    func encode(_ r: RESTResponse, pretty: Bool, head: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = r.contentType
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
