import Index
import JSON

/// A script failure: a compile error (syntax, unknown symbol, unsupported construct) or a runtime
/// error (null pointer, class cast, index out of bounds, loop limit). Carries the source offset so
/// the client sees where it failed, rendered like OpenSearch's `script_exception`.
public struct PainlessError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Phase: Sendable { case compile, runtime }

    public var phase: Phase
    /// The Java exception OpenSearch reports as `caused_by.type`.
    public var type: String
    public var message: String
    /// Offset into the script source (characters); -1 when unknown.
    public var offset: Int
    /// `Debug.explain(x)`: the explained value's class and `toString()`.
    public var explained: (javaClass: String, text: String)? = nil

    public static func == (a: PainlessError, b: PainlessError) -> Bool {
        a.phase == b.phase && a.type == b.type && a.message == b.message && a.offset == b.offset
            && a.explained?.javaClass == b.explained?.javaClass && a.explained?.text == b.explained?.text
    }

    public init(_ phase: Phase, _ type: String, _ message: String, at offset: Int) {
        self.phase = phase
        self.type = type
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(phase == .compile ? "compile" : "runtime") error at \(offset): \(type): \(message)" }

    static func syntax(_ message: String, at offset: Int) -> PainlessError {
        PainlessError(.compile, "illegal_argument_exception", message, at: offset)
    }

    static func nullPointer(_ message: String, at offset: Int) -> PainlessError {
        PainlessError(.runtime, "null_pointer_exception", message, at: offset)
    }

    static func cast(_ from: Value, _ to: String, at offset: Int) -> PainlessError {
        PainlessError(.runtime, "class_cast_exception", "Cannot cast [\(from.javaClass)] to [\(to)].", at: offset)
    }

    static func illegalArgument(_ message: String, at offset: Int) -> PainlessError {
        PainlessError(.runtime, "illegal_argument_exception", message, at: offset)
    }

    static func outOfBounds(_ index: Int64, _ count: Int, at offset: Int) -> PainlessError {
        PainlessError(.runtime, "index_out_of_bounds_exception", "Index \(index) out of bounds for length \(count)", at: offset)
    }

    /// Raised when script output is serialised; not a script_exception in OpenSearch either.
    public static let selfReference = PainlessError(.runtime, "illegal_argument_exception", "Iterable object is self-referencing itself", at: -1)

    /// `script_exception` with `script_stack`, `script`, `lang`, `position` and the cause, as
    /// OpenSearch renders a failed Painless script.
    public func scriptException(source: String) -> OpenSearchError {
        if self == PainlessError.selfReference { return .illegalArgument(message) }
        let chars = Array(source)
        var meta = JSONObject()
        if offset >= 0 {
            let at = min(offset, chars.count)
            let start = max(0, at - 25), end = min(chars.count, at + 25)
            var snippet = String(chars[start..<end])
            var pad = at - start
            if start > 0 { snippet = "... " + snippet; pad += 4 }
            if end < chars.count { snippet += " ..." }
            meta["script_stack"] = [.string(snippet), .string(String(repeating: " ", count: pad) + "^---- HERE")]
        } else {
            meta["script_stack"] = []
        }
        meta["script"] = .string(phase == .runtime && chars.count > 256 ? String(chars[0..<256]) + " ..." : source)
        meta["lang"] = "painless"
        if let e = explained {
            meta["painless_class"] = .string(e.javaClass)
            meta["to_string"] = .string(e.text)
            meta["java_class"] = .string(e.javaClass)
        }
        if offset >= 0 {
            let at = min(offset, chars.count)
            meta["position"] = ["offset": .number(at), "start": .number(max(0, at - 25)), "end": .number(min(chars.count, at + 25))]
        }
        return OpenSearchError("script_exception", phase == .compile ? "compile error" : "runtime error", status: 400, metadata: meta,
                               causedBy: OpenSearchError(type, message, status: 400))
    }
}
