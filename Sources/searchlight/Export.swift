import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `searchlight export --index … [--query file.json] [--fields a,b] > out.csv`: every hit of a
/// search as CSV, streamed from the server's `_export/csv` endpoint to standard output (or
/// `--out`) as it arrives, with a progress line (rows, rows/s) on stderr. Memory stays flat:
/// chunks are written as they are read.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export every hit of a search (or an aggregation's buckets) as CSV.")

    @Option(help: "Searchlight URL (http).") var url = "http://127.0.0.1:9200"
    @Option(help: "Index, alias or pattern to export.") var index: String
    @Option(help: "A JSON file with the search body (query, sort, _source, aggs); '-' reads standard input.") var query: String?
    @Option(help: "Comma-separated columns (default: _id and every mapped field).") var fields: String?
    @Option(help: "Separator joining array values in a cell.") var separator: String?
    @Option(help: "Write here instead of standard output.") var out: String?
    @Flag(help: "No progress line.") var quiet = false
    @OptionGroup var credentials: ClientCredentials

    func run() throws {
        guard let u = URL(string: url), u.scheme == "http", let host = u.host else {
            throw ValidationError("--url must be an http:// URL, got \(url)")
        }
        var body: [UInt8] = Array("{}".utf8)
        if let q = query {
            let data = q == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: q))
            body = [UInt8](data)
        }
        var params: [String] = []
        if let fields { params.append("fields=" + (fields.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? fields)) }
        if let separator { params.append("separator=" + (separator.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? separator)) }
        let path = "/" + (index.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? index) + "/_export/csv"
            + (params.isEmpty ? "" : "?" + params.joined(separator: "&"))
        let output: FileHandle
        if let out {
            FileManager.default.createFile(atPath: out, contents: nil)
            guard let h = FileHandle(forWritingAtPath: out) else { throw ValidationError("cannot write \(out)") }
            output = h
        } else {
            output = FileHandle.standardOutput
        }
        let progress = ExportProgress(enabled: !quiet)
        let status = try StreamingHTTP.post(host: host, port: UInt16(u.port ?? 9200), path: path, body: body,
                                            authorization: try credentials.header()) { chunk in
            output.write(Data(chunk))
            progress.add(chunk)
        }
        progress.finish()
        if status != 200 { throw ExitCode(1) }
    }
}

/// Rows (CRLF-terminated lines, header excluded) and rows/s on stderr, redrawn at most 5 times a
/// second; when stderr is not a terminal only the final line (unless SEARCHLIGHT_PROGRESS is set).
final class ExportProgress {
    let enabled: Bool
    let live: Bool
    var rows = -1
    var bytes = 0
    var lastCR = false
    let started = Date()
    var lastDraw = Date.distantPast

    init(enabled: Bool) {
        self.enabled = enabled
        live = enabled && (isatty(2) != 0 || ProcessInfo.processInfo.environment["SEARCHLIGHT_PROGRESS"] != nil)
    }

    func add(_ chunk: [UInt8]) {
        bytes += chunk.count
        for b in chunk {
            if b == 0x0A && lastCR { rows += 1 }
            lastCR = b == 0x0D
        }
        if live && Date().timeIntervalSince(lastDraw) > 0.2 {
            lastDraw = Date()
            draw("\r")
        }
    }

    func draw(_ prefix: String) {
        let secs = max(Date().timeIntervalSince(started), 1e-6)
        let line = "\(prefix)exported \(max(rows, 0)) rows, \(bytes / 1024) KiB, \(Int(Double(max(rows, 0)) / secs)) rows/s"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        draw(live ? "\r" : "")
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

/// One HTTP/1.1 POST whose response body (Content-Length or chunked) is handed over chunk by
/// chunk as it is read, never held whole.
enum StreamingHTTP {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func post(host: String, port: UInt16, path: String, body: [UInt8], authorization: String? = nil,
                     onBody: ([UInt8]) -> Void) throws -> Int {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let ai = res else { throw Failure(description: "cannot resolve \(host)") }
        defer { freeaddrinfo(res) }
        let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        guard connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else {
            throw Failure(description: "cannot connect to \(host):\(port)")
        }
        var request = Array("POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\n\(authorization.map { "Authorization: \($0)\r\n" } ?? "")Content-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
        request += body
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "send failed") }
            sent += n
        }
        var buffer: [UInt8] = []
        var eof = false
        func fill() throws {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { throw Failure(description: "recv failed") }
            if n == 0 { eof = true; return }
            buffer += chunk[0..<n]
        }
        func line() throws -> String {
            while true {
                if let i = buffer.firstIndex(of: 0x0A) {
                    let l = String(decoding: buffer[..<i], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    buffer.removeFirst(i + 1)
                    return l
                }
                if eof { throw Failure(description: "connection closed early") }
                try fill()
            }
        }
        let statusLine = try line()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line: \(statusLine)") }
        var length: Int? = nil
        var chunked = false
        while true {
            let h = try line()
            if h.isEmpty { break }
            let kv = h.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if kv.count == 2 && kv[0] == "content-length" { length = Int(kv[1]) }
            if kv.count == 2 && kv[0] == "transfer-encoding" && kv[1].contains("chunked") { chunked = true }
        }
        if chunked {
            while true {
                let sizeLine = try line()
                guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else { throw Failure(description: "bad chunk size") }
                if size == 0 { break }
                while buffer.count < size + 2 {
                    if eof { throw Failure(description: "connection closed early") }
                    try fill()
                }
                onBody(Array(buffer[..<size]))
                buffer.removeFirst(size + 2)
            }
        } else if var remaining = length {
            while remaining > 0 {
                if buffer.isEmpty { if eof { break }; try fill(); continue }
                let take = min(remaining, buffer.count)
                onBody(Array(buffer[..<take]))
                buffer.removeFirst(take)
                remaining -= take
            }
        } else {
            while !eof { if !buffer.isEmpty { onBody(buffer); buffer.removeAll() }; try fill() }
            if !buffer.isEmpty { onBody(buffer) }
        }
        return status
    }
}
