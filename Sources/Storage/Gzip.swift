import CZlib

/// zlib inflate for `Content-Encoding: gzip`/`deflate` request bodies, with an output cap so a
/// small compressed body cannot expand past `http.max_content_length`.
public enum Gzip {
    public static func decompress(_ input: [UInt8], limit: Int) throws(StorageError) -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: auto-detect gzip or zlib headers.
        var rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw StorageError(.compression, "inflateInit failed", underlying: rc) }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        out.reserveCapacity(min(limit, max(input.count * 4, 1024)))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        rc = input.withUnsafeMutableBufferPointer { inBuf -> Int32 in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            var r: Int32 = Z_OK
            repeat {
                r = chunk.withUnsafeMutableBufferPointer { c -> Int32 in
                    stream.next_out = c.baseAddress
                    stream.avail_out = UInt32(c.count)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    let produced = c.count - Int(stream.avail_out)
                    out.append(contentsOf: c[0..<produced])
                    return r
                }
                if out.count > limit { return -100 }
                if r == Z_STREAM_END {
                    // Concatenated gzip members: continue with the next one.
                    if stream.avail_in > 0 { inflateReset(&stream); r = Z_OK; continue }
                    break
                }
                if r == Z_BUF_ERROR && stream.avail_in == 0 { return Z_DATA_ERROR }
            } while r == Z_OK
            return r
        }
        if rc == -100 { throw StorageError(.compression, "decompressed body exceeds \(limit) bytes", underlying: rc) }
        guard rc == Z_STREAM_END else { throw StorageError(.compression, "invalid compressed body", underlying: rc) }
        return out
    }

    /// gzip-compresses bytes (used by tests and the processor's clients).
    public static func compress(_ input: [UInt8]) throws(StorageError) -> [UInt8] {
        var stream = z_stream()
        var rc = deflateInit2_(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw StorageError(.compression, "deflateInit failed", underlying: rc) }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o -> Int in
                stream.next_in = i.baseAddress
                stream.avail_in = UInt32(i.count)
                stream.next_out = o.baseAddress
                stream.avail_out = UInt32(o.count)
                rc = deflate(&stream, Z_FINISH)
                return o.count - Int(stream.avail_out)
            }
        }
        guard rc == Z_STREAM_END else { throw StorageError(.compression, "deflate failed", underlying: rc) }
        return Array(out[0..<produced])
    }
}
