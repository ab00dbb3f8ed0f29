import JSON

/// Turns a source index's `settings` (as `GET /{index}` shows them) into what a destination
/// accepts at creation: flat `index.*` keys without the ones a cluster computes itself (uuid,
/// creation date, version, …) and which OpenSearch refuses, with blocks held back until the
/// documents are in (a `read_only` source index would otherwise refuse its own copy).
public enum SettingsFilter {
    /// Set by the cluster, refused at creation (`private index setting … can not be set explicitly`).
    static let privateKeys: Set<String> = [
        "index.uuid", "index.creation_date", "index.creation_date_string", "index.provided_name",
        "index.history.uuid", "index.verified_before_close", "index.frozen", "index.search.throttled",
    ]
    static let privatePrefixes = ["index.version.", "index.resize.", "index.routing.allocation.initial_recovery.",
                                  "index.store.snapshot.", "index.replication.type"]
    /// Applied after the documents are copied.
    static let deferredPrefixes = ["index.blocks."]

    public struct Result: Equatable, Sendable {
        /// Flat keys for `PUT /{index}` `settings`.
        public var create: JSONObject
        /// Flat keys for `PUT /{index}/_settings` once the documents are in.
        public var deferred: JSONObject
        /// Keys left out, for the log.
        public var dropped: [String]
    }

    /// `overrides` (e.g. `index.number_of_shards`) replace the source's values.
    public static func filter(_ settings: JSONValue?, overrides: [String: JSONValue] = [:]) -> Result {
        var create = JSONObject()
        var deferred = JSONObject()
        var dropped: [String] = []
        for (k0, v) in flatten(settings ?? .object(JSONObject())) {
            let k = k0.hasPrefix("index.") ? k0 : "index." + k0
            if privateKeys.contains(k) || privatePrefixes.contains(where: { k.hasPrefix($0) }) {
                dropped.append(k)
            } else if deferredPrefixes.contains(where: { k.hasPrefix($0) }) {
                deferred[k] = v
            } else {
                create[k] = v
            }
        }
        for (k, v) in overrides.sorted(by: { $0.key < $1.key }) { create[k] = v }
        return Result(create: create, deferred: deferred, dropped: dropped)
    }

    /// Dotted keys of a nested settings object, in order; arrays and scalars are leaves.
    public static func flatten(_ v: JSONValue) -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        func walk(_ v: JSONValue, _ prefix: String) {
            if case .object(let o) = v {
                for (k, sub) in o { walk(sub, prefix.isEmpty ? k : prefix + "." + k) }
            } else if !prefix.isEmpty {
                out.append((prefix, v))
            }
        }
        walk(v, "")
        return out
    }

    /// The setting a destination refused, from its error reason (`unknown setting [x] …`,
    /// `private index setting [x] can not be set explicitly`), so the creation can be retried without it.
    public static func refusedSetting(in reason: String) -> String? {
        guard let r = reason.range(of: "setting [") else { return nil }
        let rest = reason[r.upperBound...]
        guard let end = rest.firstIndex(of: "]") else { return nil }
        let key = String(rest[..<end])
        return key.isEmpty ? nil : key
    }
}
