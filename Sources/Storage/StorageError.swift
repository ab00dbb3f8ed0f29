/// A failure in the storage layer: which operation, SQLite's or zlib's code, and its message.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case open, sql, io, corrupt, compression
    }

    public let code: Code
    public let message: String
    public let underlying: Int32
    /// The `errno` of the system call that failed under SQLite (`sqlite3_system_errno`) or
    /// under a segment open, 0 when unknown. SQLite reports most OS failures as a plain
    /// SQLITE_IOERR ("disk I/O error"), so only this tells a read-only disk from a broken one.
    public let osError: Int32

    public init(_ code: Code, _ message: String, underlying: Int32 = 0, osError: Int32 = 0) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.osError = osError
    }

    public var description: String {
        let base = "\(code.rawValue) error (\(underlying)): \(message)"
        return condition.map { "\(base) [\($0)]" } ?? base
    }

    /// The operating-system condition behind the failure when it is one an operator must act on
    /// (a full, read-only or failing disk), worded like `strerror`; nil otherwise. SQLite reports
    /// ENOSPC as SQLITE_FULL (13) and a read-only database file as SQLITE_READONLY (8); for `.io`
    /// errors `underlying` is the errno.
    public var condition: String? {
        // A known errno decides; the result code is read only when there is none.
        if osError != 0 { return Self.condition(errno: osError) }
        switch code {
        case .sql, .open:
            switch underlying & 0xff {
            case 13: return "No space left on device"
            case 8: return "Read-only file system"
            default: return nil
            }
        case .io: return Self.condition(errno: underlying)
        default: return nil
        }
    }

    static func condition(errno: Int32) -> String? {
        switch errno {
        case 5: return "Input/output error"
        case 28: return "No space left on device"
        case 30: return "Read-only file system"
        case 122: return "Disk quota exceeded"
        default: return nil
        }
    }
}
