import CZlib
import Foundation

/// Durable file writes: write to a temp name, fsync, rename, fsync the directory — so a crash
/// leaves either the old file or the complete new one.
public enum FileIO {
    public static func writeDurably(_ bytes: [UInt8], to path: String) throws(StorageError) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw StorageError(.io, "cannot create \(tmp): errno \(errno)", underlying: errno) }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, bytes.count - off) }
            if n < 0 { let e = errno; close(fd); throw StorageError(.io, "write \(tmp): errno \(e)", underlying: e) }
            off += n
        }
        if fsync(fd) != 0 { let e = errno; close(fd); throw StorageError(.io, "fsync \(tmp): errno \(e)", underlying: e) }
        close(fd)
        guard rename(tmp, path) == 0 else { throw StorageError(.io, "rename \(tmp): errno \(errno)", underlying: errno) }
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
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    }

    public static func checksum(_ buf: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt = 0
        var p = buf.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var left = buf.count
        while left > 0 {
            let n = min(left, Int(UInt32.max))
            crc = crc32(crc, p, UInt32(n))
            p = p! + n
            left -= n
        }
        return UInt32(crc)
    }
}
