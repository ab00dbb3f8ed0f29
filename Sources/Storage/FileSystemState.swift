#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// What the file system holding a path says about writing to it, for naming the cause of a
/// write that failed without one (SQLite often reports just "disk I/O error").
public enum FileSystemState {
    static let probes = Atomic<Int>(0)

    /// EROFS when the file system holding `path` no longer takes writes (mounted read-only, or
    /// an ext4 disk the kernel turned read-only after an error, which `statvfs` does not show),
    /// ENOSPC when it has no block left for us, EIO when creating a file fails with an I/O error,
    /// else 0. Probes by creating and removing an empty file next to `path`.
    public static func errno(at path: String) -> Int32 {
        var st = statvfs()
        let stated = statvfs(path, &st) == 0
        if stated && st.f_flag & UInt(ST_RDONLY) != 0 { return EROFS }
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let n = probes.wrappingAdd(1, ordering: .relaxed).oldValue
        let probe = "\(directory.isEmpty ? "/" : directory)/.write-probe-\(getpid())-\(n)"
        let fd = open(probe, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd < 0 {
            let e = lastErrno()
            if e == EROFS || e == ENOSPC || e == EDQUOT || e == EIO { return e }
        } else {
            close(fd)
            unlink(probe)
        }
        if stated && st.f_bavail == 0 { return ENOSPC }
        return 0
    }

    /// The C `errno` (the name is taken by `errno(at:)` here).
    static func lastErrno() -> Int32 {
        #if canImport(Glibc)
        Glibc.errno
        #else
        Darwin.errno
        #endif
    }
}
