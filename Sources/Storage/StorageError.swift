/// A failure in the storage layer: which operation, SQLite's or zlib's code, and its message.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case open, sql, io, corrupt, compression
    }

    public let code: Code
    public let message: String
    public let underlying: Int32

    public init(_ code: Code, _ message: String, underlying: Int32 = 0) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        let base = "\(code.rawValue) error (\(underlying)): \(message)"
        return condition.map { "\(base) [\($0)]" } ?? base
    }

    /// The operating-system condition behind the failure when it is one an operator must act on
    /// (a full or read-only disk), worded like `strerror`; nil otherwise. SQLite reports ENOSPC as
    /// SQLITE_FULL (13) and a read-only file as SQLITE_READONLY (8).
    public var condition: String? {
        switch code {
        case .sql, .open:
            switch underlying & 0xff {
            case 13: return "No space left on device"
            case 8: return "Read-only file system"
            default: return nil
            }
        case .io:
            switch underlying {
            case 28: return "No space left on device"
            case 30: return "Read-only file system"
            case 122: return "Disk quota exceeded"
            default: return nil
            }
        default: return nil
        }
    }
}
