import CZlib
import Foundation

/// Durable file writes: write to a temp name, fsync, rename, fsync the directory — so a crash
/// leaves either the old file or the complete new one.
public enum FileIO {
    public static func writeDurably(_ bytes: [UInt8], to path: String) throws(StorageError) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageError(.io, "cannot create \(tmp)", underlying: errno) }
        var written = 0
        let failure: Int32? = bytes.withUnsafeBytes { b in
            while written < b.count {
                let n = write(fd, b.baseAddress! + written, b.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return fsync(fd) == 0 ? nil : errno
        }
        close(fd)
        if let failure {
            unlink(tmp)
            throw StorageError(.io, "cannot write \(path)", underlying: failure)
        }
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw StorageError(.io, "cannot rename \(tmp) to \(path)", underlying: e)
        }
        syncDirectory(of: path)
    }

    public static func syncDirectory(of path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        let fd = open(dir, O_RDONLY)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }
}

/// zlib's CRC-32.
public enum CRC32 {
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    public static func checksum(_ buf: UnsafeRawBufferPointer) -> UInt32 {
        var crc: uLong = 0
        var offset = 0
        while offset < buf.count {
            let n = min(buf.count - offset, 1 << 30)
            crc = crc32(crc, buf.baseAddress!.assumingMemoryBound(to: Bytef.self) + offset, uInt(n))
            offset += n
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
