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

    public var description: String { "\(code.rawValue) error (\(underlying)): \(message)" }
}
