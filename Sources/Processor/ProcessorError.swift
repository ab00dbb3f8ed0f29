/// Why a payload could not be decoded. Per-line problems are never errors (they are counted);
/// only a payload that cannot be opened at all fails, so a client learns which layer was wrong.
public struct ProcessorError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        /// `awslogs.data` is not valid base64.
        case badBase64 = "bad_base64"
        /// The decoded bytes are not a gzip (or zlib) stream.
        case badGzip = "bad_gzip"
        /// The inflated payload (or the request body) is not JSON.
        case badJSON = "bad_json"
        /// JSON, but not a CloudWatch Logs subscription payload.
        case badPayload = "bad_payload"
        /// The sink (HTTP `_bulk`, in-process node) refused a request.
        case sink
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
