/// A rejected SQL request, with the character offset it refers to. Kept apart from
/// `OpenSearchError` so the SQL target depends on `JSON` only; the REST edge renders it in the SQL
/// plugin's error shape (`{"error":{"reason","details","type"},"status":400}`).
public struct SQLError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The text is not SQL this parser understands (the plugin's `SyntaxCheckException`).
        case syntax
        /// Valid SQL using a feature Searchlight does not translate (JOIN, subqueries, functions…).
        case unsupported
        /// Parses, but does not make sense against the index (unknown field, ungrouped column…).
        case semantic
    }

    public var kind: Kind
    public var message: String
    /// Offset of the offending token in the query, in Unicode scalars from 0; nil when the error
    /// is about the whole statement.
    public var position: Int?

    public init(_ kind: Kind, _ message: String, at position: Int? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    public static func syntax(_ message: String, at position: Int?) -> SQLError { SQLError(.syntax, message, at: position) }
    public static func unsupported(_ what: String, at position: Int?) -> SQLError {
        SQLError(.unsupported, "\(what) is not supported", at: position)
    }
    public static func semantic(_ message: String, at position: Int? = nil) -> SQLError { SQLError(.semantic, message, at: position) }

    /// The message with its position, as the `details` of the error body.
    public var description: String {
        guard let position else { return message }
        return "\(message) at position \(position)"
    }

    /// The exception class name the SQL plugin reports in `type`.
    public var typeName: String {
        switch kind {
        case .syntax: return "SyntaxCheckException"
        case .unsupported: return "UnsupportedOperationException"
        case .semantic: return "SemanticCheckException"
        }
    }

    /// The plugin's fixed `reason` text for this kind of error.
    public var reason: String { kind == .syntax ? "Invalid SQL query" : "Invalid Query" }
}
