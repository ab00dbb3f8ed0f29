import JSON

/// The one error shape a client ever sees: OpenSearch's `type`, `reason` and HTTP status, plus
/// extra metadata fields (`index`, `index_uuid`, `shard`, …) and an optional cause. Rendered once at
/// the HTTP edge as `{"error":{"root_cause":[…],"type":…,"reason":…},"status":N}`.
public struct OpenSearchError: Error, Sendable, Equatable, CustomStringConvertible {
    public var type: String
    public var reason: String
    public var status: Int
    public var metadata: JSONObject
    public var causedBy: [OpenSearchError]

    public init(_ type: String, _ reason: String, status: Int, metadata: JSONObject = JSONObject(), causedBy: OpenSearchError? = nil) {
        self.type = type
        self.reason = reason
        self.status = status
        self.metadata = metadata
        self.causedBy = causedBy.map { [$0] } ?? []
    }

    public var description: String { "\(type): \(reason)" }

    /// The error object without the `root_cause` list (used for causes and bulk items).
    public var body: JSONValue {
        var o = JSONObject()
        o["type"] = .string(type)
        o["reason"] = .string(reason)
        for (k, v) in metadata { o[k] = v }
        if let c = causedBy.first { o["caused_by"] = c.body }
        return .object(o)
    }

    /// The full error object with `root_cause`, as the top-level `error` of a response.
    public var fullBody: JSONValue {
        var root = JSONObject()
        root["type"] = .string(type)
        root["reason"] = .string(reason)
        for (k, v) in metadata { root[k] = v }
        var o = JSONObject()
        o["root_cause"] = .array([.object(root)])
        if case .object(let b) = body { for (k, v) in b { o[k] = v } }
        return .object(o)
    }

    public var response: JSONValue { ["error": fullBody, "status": .number(status)] }

    public func with(_ key: String, _ value: JSONValue) -> OpenSearchError {
        var c = self
        c.metadata[key] = value
        return c
    }
}

extension OpenSearchError {
    public static func indexNotFound(_ name: String) -> OpenSearchError {
        OpenSearchError("index_not_found_exception", "no such index [\(name)]", status: 404,
                        metadata: JSONObject([("index", .string(name)), ("resource.id", .string(name)),
                                              ("resource.type", "index_or_alias"), ("index_uuid", "_na_")]))
    }

    public static func illegalArgument(_ reason: String) -> OpenSearchError {
        OpenSearchError("illegal_argument_exception", reason, status: 400)
    }

    public static func parsing(_ reason: String) -> OpenSearchError {
        OpenSearchError("parsing_exception", reason, status: 400)
    }

    public static func mapperParsing(_ reason: String, cause: OpenSearchError? = nil) -> OpenSearchError {
        OpenSearchError("mapper_parsing_exception", reason, status: 400, causedBy: cause)
    }

    public static func jsonParse(_ error: JSONError) -> OpenSearchError {
        OpenSearchError("json_parse_exception", error.description, status: 400)
    }

    public static func actionValidation(_ problems: [String]) -> OpenSearchError {
        let text = problems.enumerated().map { "\($0.offset + 1): \($0.element);" }.joined(separator: " ")
        return OpenSearchError("action_request_validation_exception", "Validation Failed: \(text)", status: 400)
    }
}
