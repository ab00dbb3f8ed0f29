import Index
import JSON
import Synchronization

/// `PUT/GET /_cluster/settings`: persistent and transient cluster settings, kept in memory
/// (persistent ones do not yet survive a restart). Only `search.max_buckets` changes behaviour;
/// other keys under the known prefixes are stored and echoed like OpenSearch does.
public final class ClusterSettings: Sendable {
    /// OpenSearch's default `search.max_buckets`.
    public static let defaultMaxBuckets = 65_535
    static let knownPrefixes = ["search.", "cluster.", "indices.", "action.", "logger.", "script.", "plugins.", "node."]

    private struct State {
        var persistent: [String: String] = [:]
        var transient: [String: String] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// The bucket limit for aggregations: transient over persistent over the default.
    public var maxBuckets: Int {
        state.withLock { s in
            (s.transient["search.max_buckets"] ?? s.persistent["search.max_buckets"]).flatMap { Int($0) } ?? Self.defaultMaxBuckets
        }
    }

    /// Applies a PUT body (`persistent` / `transient` objects, nested or dotted keys, `null`
    /// resets) and returns the acknowledged response with the settings that were applied.
    public func update(_ body: JSONValue?) throws(OpenSearchError) -> JSONValue {
        guard case .object(let o)? = body else {
            throw OpenSearchError("action_request_validation_exception", "Validation Failed: 1: no settings to update;", status: 400)
        }
        var changes: [(scope: String, key: String, value: String?)] = []
        for (scope, v) in o {
            guard scope == "persistent" || scope == "transient" else {
                throw OpenSearchError.parsing("request does not support [\(scope)]")
            }
            var flat: [(String, JSONValue)] = []
            Self.flatten(v, prefix: "", into: &flat)
            for (k, value) in flat {
                guard Self.knownPrefixes.contains(where: { k.hasPrefix($0) }) else {
                    throw OpenSearchError.illegalArgument("\(scope) setting [\(k)], not recognized")
                }
                var text: String?
                switch value {
                case .null: text = nil
                case .string(let s): text = s
                case .array: text = JSONWriter.string(value)
                default: text = JSONWriter.string(value)
                }
                if k == "search.max_buckets", let t = text, (Int(t) ?? -1) < 0 {
                    throw OpenSearchError.illegalArgument("Failed to parse value [\(t)] for setting [search.max_buckets] must be >= 0")
                }
                changes.append((scope, k, text))
            }
        }
        var applied: [String: JSONObject] = ["persistent": JSONObject(), "transient": JSONObject()]
        state.withLock { s in
            for c in changes {
                if c.scope == "persistent" { s.persistent[c.key] = c.value } else { s.transient[c.key] = c.value }
                if let v = c.value { applied[c.scope]![c.key] = .string(v) }
            }
        }
        return .object(JSONObject([("acknowledged", true), ("persistent", .object(Self.nest(applied["persistent"]!))),
                                   ("transient", .object(Self.nest(applied["transient"]!)))]))
    }

    /// `GET /_cluster/settings`: flat keys when `flat_settings`, nested objects otherwise.
    public func json(flat: Bool) -> JSONValue {
        let (p, t) = state.withLock { s in (s.persistent, s.transient) }
        func obj(_ d: [String: String]) -> JSONObject {
            let o = JSONObject(d.keys.sorted().map { ($0, JSONValue.string(d[$0]!)) })
            return flat ? o : Self.nest(o)
        }
        return .object(JSONObject([("persistent", .object(obj(p))), ("transient", .object(obj(t)))]))
    }

    static func flatten(_ v: JSONValue, prefix: String, into out: inout [(String, JSONValue)]) {
        if case .object(let o) = v {
            for (k, sub) in o { flatten(sub, prefix: prefix.isEmpty ? k : prefix + "." + k, into: &out) }
        } else if !prefix.isEmpty {
            out.append((prefix, v))
        }
    }

    static func nest(_ flat: JSONObject) -> JSONObject {
        var root = JSONObject()
        for (k, v) in flat {
            let parts = k.split(separator: ".").map(String.init)
            root = insert(root, parts[...], v)
        }
        return root
    }

    private static func insert(_ o: JSONObject, _ path: ArraySlice<String>, _ v: JSONValue) -> JSONObject {
        var o = o
        guard let head = path.first else { return o }
        if path.count == 1 { o[head] = v; return o }
        let child = o[head]?.objectValue ?? JSONObject()
        o[head] = .object(insert(child, path.dropFirst(), v))
        return o
    }
}
