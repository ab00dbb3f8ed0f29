import Index
import JSON

/// An index's settings as flat `index.*` keys with string values, the way OpenSearch stores and
/// renders them (`"number_of_shards": "1"`).
public struct IndexSettings: Sendable, Equatable {
    public private(set) var values: [String: JSONValue] = [:]

    public init() {}

    static let known: Set<String> = [
        "index.number_of_shards", "index.number_of_replicas", "index.refresh_interval", "index.max_result_window",
        "index.mapping.total_fields.limit", "index.mapping.depth.limit", "index.mapping.nested_fields.limit",
        "index.mapping.nested_objects.limit", "index.mapping.field_name_length.limit", "index.blocks.write",
        "index.blocks.read_only", "index.blocks.read", "index.blocks.metadata", "index.blocks.read_only_allow_delete",
        "index.codec", "index.auto_expand_replicas", "index.hidden", "index.translog.durability",
        "index.translog.sync_interval", "index.translog.flush_threshold_size", "index.max_inner_result_window",
        "index.max_docvalue_fields_search", "index.max_script_fields", "index.max_terms_count", "index.max_regex_length",
        "index.query.default_field", "index.priority", "index.max_ngram_diff", "index.max_shingle_diff",
        "index.routing_partition_size", "index.number_of_routing_shards", "index.shard.check_on_startup",
        "index.load_fixed_bitset_filters_eagerly", "index.gc_deletes", "index.default_pipeline", "index.final_pipeline",
        "index.max_refresh_listeners", "index.max_slices_per_scroll", "index.max_rescore_window", "index.max_adjacency_matrix_filters",
        "index.search.idle.after", "index.lifecycle.origination_date", "index.lifecycle.name", "index.lifecycle.rollover_alias",
        "index.sort.field", "index.sort.order", "index.mapping.ignore_malformed", "index.mapping.coerce",
        "index.write.wait_for_active_shards", "index.unassigned.node_left.delayed_timeout", "index.merge.policy.max_merged_segment",
        "index.merge.scheduler.max_thread_count", "index.merge.policy.segments_per_tier", "index.merge.policy.floor_segment",
        "index.replication.type", "index.soft_deletes.enabled", "index.soft_deletes.retention_lease.period",
    ]
    static let knownPrefixes = ["index.analysis.", "index.similarity.", "index.routing.", "index.plugins.",
                                "index.opendistro.", "index.search.slowlog.", "index.indexing.slowlog.", "index.lifecycle.",
                                "index.knn", "index.merge.", "index.translog.", "index.store.", "index.sort.", "index.blocks.",
                                "index.version.", "index.query.", "index.highlight.", "index.queries.", "index.requests.",
                                "index.mapping.", "index.refresh."]
    static let internalKeys: Set<String> = ["index.creation_date", "index.uuid", "index.provided_name", "index.version.created"]

    /// Parses a `settings` object (nested, dotted, or with/without the `index.` prefix).
    public static func parse(_ json: JSONValue?) throws(OpenSearchError) -> IndexSettings {
        var s = IndexSettings()
        try s.update(json)
        return s
    }

    public mutating func update(_ json: JSONValue?, allowInternal: Bool = false) throws(OpenSearchError) {
        guard let json else { return }
        guard case .object = json else { throw OpenSearchError.illegalArgument("settings must be an object") }
        var flat: [(String, JSONValue)] = []
        func walk(_ v: JSONValue, _ prefix: String) {
            if case .object(let o) = v {
                for (k, sub) in o { walk(sub, prefix.isEmpty ? k : "\(prefix).\(k)") }
            } else {
                flat.append((prefix, v))
            }
        }
        walk(json, "")
        for (k0, v) in flat {
            let k = k0.hasPrefix("index.") ? k0 : "index.\(k0)"
            if IndexSettings.internalKeys.contains(k) && !allowInternal {
                if k == "index.uuid" || k == "index.creation_date" || k == "index.provided_name" || k == "index.version.created" {
                    throw OpenSearchError.illegalArgument("private index setting [\(k)] can not be set explicitly")
                }
            }
            guard IndexSettings.known.contains(k) || IndexSettings.internalKeys.contains(k)
                    || IndexSettings.knownPrefixes.contains(where: { k.hasPrefix($0) }) else {
                throw OpenSearchError.illegalArgument("unknown setting [\(k)] please check that any required plugins are installed, or check the breaking changes documentation for removed settings")
            }
            let value: JSONValue
            switch v {
            case .null: values[k] = nil; continue
            case .string: value = v
            case .int(let i): value = .string(String(i))
            case .uint(let u): value = .string(String(u))
            case .double(let d): value = .string(String(d))
            case .bool(let b): value = .string(b ? "true" : "false")
            case .array(let a): value = .array(a.map { e -> JSONValue in if case .string = e { return e }; return .string(JSONWriter.string(e)) })
            case .object: continue
            }
            try validate(k, value)
            values[k] = value
        }
    }

    func validate(_ key: String, _ value: JSONValue) throws(OpenSearchError) {
        func intValue(min: Int) throws(OpenSearchError) {
            guard let s = value.stringValue, let i = Int(s) else {
                throw OpenSearchError.illegalArgument("Failed to parse value [\(value.stringValue ?? "")] for setting [\(key)]")
            }
            if i < min {
                throw OpenSearchError.illegalArgument("Failed to parse value [\(i)] for setting [\(key)] must be >= \(min)")
            }
        }
        switch key {
        case "index.number_of_shards": try intValue(min: 1)
        case "index.number_of_replicas", "index.max_result_window", "index.mapping.total_fields.limit": try intValue(min: 0)
        case "index.blocks.write", "index.blocks.read_only", "index.blocks.read", "index.blocks.metadata", "index.hidden":
            guard value.stringValue == "true" || value.stringValue == "false" else {
                throw OpenSearchError.illegalArgument("Failed to parse value [\(value.stringValue ?? "")] as only [true] or [false] are allowed.")
            }
        case "index.refresh_interval":
            guard let s = value.stringValue, s == "-1" || TimeValue.parseMillis(s) != nil else {
                throw OpenSearchError.illegalArgument("failed to parse setting [index.refresh_interval] with value [\(value.stringValue ?? "")] as a time value: unit is missing or unrecognized")
            }
        default: break
        }
    }

    /// The dotted keys of a (possibly nested) settings object.
    public static func flatKeys(_ json: JSONValue) -> [String] {
        guard case .object(let o) = json else { return [] }
        var out: [String] = []
        for (k, v) in o {
            if case .object = v { out += flatKeys(v).map { "\(k).\($0)" } } else { out.append(k) }
        }
        return out
    }

    public subscript(key: String) -> String? { values[key]?.stringValue }

    public mutating func set(_ key: String, _ value: String) { values[key] = .string(value) }

    public func int(_ key: String, default d: Int) -> Int { self[key].flatMap { Int($0) } ?? d }
    public func bool(_ key: String) -> Bool { self[key] == "true" }

    public var numberOfReplicas: Int { int("index.number_of_replicas", default: 1) }
    public var totalFieldsLimit: Int { int("index.mapping.total_fields.limit", default: 1000) }
    public var maxResultWindow: Int { int("index.max_result_window", default: 10000) }

    /// Nested rendering (`{"index": {"number_of_shards": "1", …}}`), or flat with `flat_settings`.
    public func json(flat: Bool = false) -> JSONValue {
        if flat {
            return .object(JSONObject(values.keys.sorted().map { ($0, values[$0]!) }))
        }
        var root = JSONObject()
        for k in values.keys.sorted() {
            let parts = k.split(separator: ".").map(String.init)
            IndexSettings.insert(&root, parts[...], values[k]!)
        }
        return .object(root)
    }

    static func insert(_ o: inout JSONObject, _ path: ArraySlice<String>, _ v: JSONValue) {
        guard let first = path.first else { return }
        if path.count == 1 { o[first] = v; return }
        var child = o[first]?.objectValue ?? JSONObject()
        insert(&child, path.dropFirst(), v)
        o[first] = .object(child)
    }

    public var stored: String { JSONWriter.string(json(flat: true)) }

    public static func fromStored(_ s: String) -> IndexSettings {
        var r = IndexSettings()
        if case .object(let o)? = try? JSONParser.parse(s) { for (k, v) in o { r.values[k] = v } }
        return r
    }
}

extension IndexSettings {
    /// Defaults shown by `GET /{index}/_settings?include_defaults=true`.
    public static let defaults: [(String, String)] = [
        ("index.max_result_window", "10000"), ("index.refresh_interval", "1s"), ("index.max_inner_result_window", "100"),
        ("index.mapping.total_fields.limit", "1000"), ("index.mapping.depth.limit", "20"), ("index.max_docvalue_fields_search", "100"),
        ("index.number_of_routing_shards", "1"), ("index.blocks.write", "false"), ("index.blocks.read_only", "false"),
        ("index.translog.durability", "REQUEST"), ("index.codec", "default"), ("index.hidden", "false"),
    ]
}

/// OpenSearch time values (`1s`, `500ms`, `2m`, `1h`, `7d`).
public enum TimeValue {
    public static func parseMillis(_ s: String) -> Int64? {
        let units: [(String, Int64)] = [("nanos", 0), ("micros", 0), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (u, mult) in units where s.hasSuffix(u) {
            let num = s.dropLast(u.count)
            if let n = Int64(num) { return mult == 0 ? 0 : n * mult }
            if let d = Double(num) { return Int64(d * Double(mult)) }
        }
        if s == "0" || s == "-1" { return Int64(s) }
        return nil
    }
}
