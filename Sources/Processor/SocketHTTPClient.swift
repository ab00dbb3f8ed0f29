import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over keep-alive TCP connections, for `_bulk` bodies of
/// megabytes: FoundationNetworking's URLSession (libcurl) spent more system time copying than the
/// server spent indexing. Calls run on their own threads, never on the cooperative pool.
public final class SocketHTTPClient: @unchecked Sendable {
    // Invariant: `idle` is only touched under `lock`; a connection is used by one call at a time.
    let host: String
    let port: UInt16
    let lock = NSLock()
    var idle: [Int32] = []
    /// `Authorization` header value for a server with security on.
    let authorization: String?

    public init(host: String, port: UInt16, authorization: String? = nil) {
        self.host = host
        self.port = port
        self.authorization = authorization
    }

    deinit { for fd in idle { close(fd) } }

    public func request(_ method: String, _ path: String, body: [UInt8], contentType: String) async throws(ProcessorError) -> (Int, [UInt8]) {
        let result: Result<(Int, [UInt8]), ProcessorError> = await withCheckedContinuation { cont in
            Thread.detachNewThread {
                cont.resume(returning: self.blockingRequest(method, path, body: body, contentType: contentType))
            }
        }
        return try result.get()
    }

    func blockingRequest(_ method: String, _ path: String, body: [UInt8], contentType: String) -> Result<(Int, [UInt8]), ProcessorError> {
        // A pooled connection may have been closed by the server: retry once on a fresh one.
        for attempt in 0..<2 {
            let pooled: Int32? = lock.withLock { idle.popLast() }
            let fd: Int32
            if let pooled, attempt == 0 { fd = pooled } else {
                if let pooled { close(pooled) }
                switch connect() {
                case .success(let f): fd = f
                case .failure(let e): return .failure(e)
                }
            }
            var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: \(contentType)\r\n"
            if let authorization { head += "Authorization: \(authorization)\r\n" }
            head += "Content-Length: \(body.count)\r\nConnection: keep-alive\r\n\r\n"
            guard writeAll(fd, Array(head.utf8)), writeAll(fd, body), let (status, response, keepAlive) = readResponse(fd, head: method == "HEAD") else {
                close(fd)
                if pooled != nil && attempt == 0 { continue }
                return .failure(ProcessorError(.sink, "\(method) \(path): connection to \(host):\(port) failed"))
            }
            if keepAlive { lock.withLock { idle.append(fd) } } else { close(fd) }
            return .success((status, response))
        }
        return .failure(ProcessorError(.sink, "\(method) \(path): connection to \(host):\(port) failed"))
    }

    func connect() -> Result<Int32, ProcessorError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let first = res else {
            return .failure(ProcessorError(.sink, "cannot resolve \(host)"))
        }
        defer { freeaddrinfo(res) }
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    return .success(fd)
                }
                close(fd)
            }
            ai = a.pointee.ai_next
        }
        return .failure(ProcessorError(.sink, "cannot connect to \(host):\(port): \(String(cString: strerror(errno)))"))
    }

    func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = send(fd, buf.baseAddress! + off, buf.count - off, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }

    /// Status, body and whether the connection may be reused. Handles Content-Length and chunked bodies.
    func readResponse(_ fd: Int32, head isHead: Bool) -> (Int, [UInt8], Bool)? {
        var buf: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        func fill() -> Bool {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return false }
            buf.append(contentsOf: chunk[0..<n])
            return true
        }
        let crlf2: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            guard fill() else { return nil }
            if buf.count >= 4 {
                for i in 0...(buf.count - 4) where buf[i] == 13 && buf[i..<i + 4].elementsEqual(crlf2) { headerEnd = i; break }
            }
        }
        let headerText = String(decoding: buf[0..<headerEnd!], as: UTF8.self)
        let headerLines = headerText.split(separator: "\r\n")
        guard let statusLine = headerLines.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { return nil }
        var length: Int?
        var chunked = false
        var keepAlive = true
        for l in headerLines.dropFirst() {
            let parts = l.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].lowercased()
            let value = parts[1].trimmingCharacters(in: .whitespaces).lowercased()
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding" && value.contains("chunked") { chunked = true }
            if name == "connection" && value == "close" { keepAlive = false }
        }
        var rest = Array(buf[(headerEnd! + 4)...])
        if isHead { return (status, [], keepAlive) }
        if chunked {
            var body: [UInt8] = []
            while true {
                // rest starts at a chunk-size line.
                var lineEnd: Int?
                while lineEnd == nil {
                    if let i = rest.firstIndex(of: 10) { lineEnd = i; break }
                    buf = rest; guard fill() else { return nil }; rest = buf
                }
                let sizeText = String(decoding: rest[0..<lineEnd!], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else { return nil }
                rest.removeFirst(lineEnd! + 1)
                while rest.count < size + 2 { buf = rest; guard fill() else { return nil }; rest = buf }
                if size == 0 { return (status, body, keepAlive) }
                body.append(contentsOf: rest[0..<size])
                rest.removeFirst(size + 2)
            }
        }
        guard let length else { return (status, rest, false) }
        while rest.count < length { buf = rest; guard fill() else { return nil }; rest = buf }
        return (status, Array(rest[0..<length]), keepAlive)
    }
}
