import Index
import JSON
import Storage

/// What matching templates contribute to a new index, lowest precedence first.
public struct TemplateLayers: Sendable {
    public var settings: [JSONValue] = []
    public var mappings: [JSONValue] = []
    public var aliases: [String: AliasMetadata] = [:]
    /// The composable template used, or the legacy ones merged.
    public var templateNames: [String] = []
    public init() {}
}

/// Which template registry an operation works on.
public enum TemplateKind: String, Sendable {
    case composable = "index_template"
    case component = "component_template"
    case legacy = "legacy_template"
}

extension Node {
    func loadTemplates() throws(StorageError) {
        var md = ClusterMetadata()
        for kind in [TemplateKind.composable, .component, .legacy] {
            for (name, body) in try catalog.metadata(kind: kind.rawValue) {
                guard let v = try? JSONParser.parse(body) else { continue }
                switch kind {
                case .composable: md.indexTemplates[name] = v
                case .component: md.componentTemplates[name] = v
                case .legacy: md.legacyTemplates[name] = v
                }
            }
        }
        metadata.withLock { m in
            m.indexTemplates = md.indexTemplates
            m.componentTemplates = md.componentTemplates
            m.legacyTemplates = md.legacyTemplates
        }
    }

    public static func patterns(_ v: JSONValue?) -> [String] {
        switch v {
        case .string(let s)?: return s.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        case .array(let a)?: return a.compactMap(\.stringValue)
        default: return []
        }
    }

    /// Validates a `template` section (`settings`, `mappings`, `aliases`) and returns it normalised:
    /// settings as OpenSearch renders them, mappings without a `_doc` wrapper.
    static func normaliseTemplateSection(_ v: JSONValue?, legacy: Bool = false) throws(OpenSearchError) -> JSONObject {
        var out = JSONObject()
        guard let v else { return out }
        guard case .object(let o) = v else { throw OpenSearchError.parsing("[template] must be an object") }
        for (k, sub) in o {
            switch k {
            case "settings":
                out["settings"] = try IndexSettings.parse(sub).json()
            case "mappings":
                var m = sub
                if case .object(let mo) = sub, mo.count == 1, let inner = mo["_doc"], case .object = inner { m = inner }
                _ = try Mapping.parse(m)
                out["mappings"] = m
            case "aliases":
                guard case .object(let ao) = sub else { throw OpenSearchError.parsing("[aliases] must be an object") }
                var aliases = JSONObject()
                for (name, def) in ao {
                    guard case .object(let d) = def else { throw OpenSearchError.parsing("alias [\(name)] must be an object") }
                    aliases[name] = try AliasMetadata.parse(d).json
                }
                out["aliases"] = .object(aliases)
            default:
                if !legacy { throw OpenSearchError.parsing("[template] unknown field [\(k)]") }
            }
        }
        return out
    }

    /// `PUT /_index_template/{name}`.
    public func putIndexTemplate(_ name: String, _ body: JSONValue, create: Bool = false) throws(OpenSearchError) {
        guard case .object(let o) = body else { throw OpenSearchError.parsing("request body must be an object") }
        var t = JSONObject()
        let patterns = Node.patterns(o["index_patterns"])
        for (k, v) in o {
            switch k {
            case "index_patterns", "composed_of", "priority", "version", "_meta", "data_stream": break
            case "template": break
            default: throw OpenSearchError.parsing("[index_template] unknown field [\(k)]")
            }
            _ = v
        }
        if patterns.isEmpty { throw OpenSearchError.actionValidation(["index patterns are missing"]) }
        t["index_patterns"] = .array(patterns.map { .string($0) })
        t["template"] = .object(try Node.normaliseTemplateSection(o["template"]))
        let composedOf = o["composed_of"]?.arrayValue?.compactMap(\.stringValue) ?? []
        t["composed_of"] = .array(composedOf.map { .string($0) })
        let priority = o["priority"]?.int64Value ?? 0
        if priority < 0 { throw OpenSearchError.actionValidation(["index template priority must be >= 0"]) }
        if o["priority"] != nil { t["priority"] = .int(priority) }
        if let v = o["version"] { t["version"] = v }
        if let m = o["_meta"] { t["_meta"] = m }
        if let d = o["data_stream"] { t["data_stream"] = d }
        try storeTemplate(.composable, name, .object(t)) { md throws(OpenSearchError) in
            if create && md.indexTemplates[name] != nil {
                throw OpenSearchError.illegalArgument("index template [\(name)] already exists")
            }
            let missing = composedOf.filter { md.componentTemplates[$0] == nil }
            if !missing.isEmpty {
                throw OpenSearchError("invalid_index_template_exception", "index_template [\(name)] invalid, cause [index template [\(name)] specifies component templates \(Node.list(missing)) that do not exist]", status: 400)
            }
            var clashes: [String] = []
            var clashPatterns: [String] = []
            for (other, ot) in md.indexTemplates where other != name && (ot["priority"]?.int64Value ?? 0) == priority {
                let op = Node.patterns(ot["index_patterns"])
                if patterns.contains(where: { p in op.contains { Node.overlap(p, $0) } }) { clashes.append(other); clashPatterns += op }
            }
            if !clashes.isEmpty {
                throw OpenSearchError.illegalArgument("index template [\(name)] has index patterns \(Node.list(patterns)) matching patterns from existing templates [\(clashes.sorted().joined(separator: ","))] with patterns (\(clashes.sorted().map { "\($0) => \(Node.list(Node.patterns(md.indexTemplates[$0]?["index_patterns"])))" }.joined(separator: ","))) that have the same priority [\(priority)], multiple index templates may not match during index creation, please use a different priority")
            }
        }
    }

    /// `PUT /_component_template/{name}`.
    public func putComponentTemplate(_ name: String, _ body: JSONValue, create: Bool = false) throws(OpenSearchError) {
        guard case .object(let o) = body else { throw OpenSearchError.parsing("request body must be an object") }
        guard let template = o["template"] else { throw OpenSearchError.parsing("Required [template]") }
        var t = JSONObject()
        for (k, _) in o where !["template", "version", "_meta"].contains(k) {
            throw OpenSearchError.parsing("[component_template] unknown field [\(k)]")
        }
        t["template"] = .object(try Node.normaliseTemplateSection(template))
        if let v = o["version"] { t["version"] = v }
        if let m = o["_meta"] { t["_meta"] = m }
        try storeTemplate(.component, name, .object(t)) { md throws(OpenSearchError) in
            if create && md.componentTemplates[name] != nil {
                throw OpenSearchError.illegalArgument("component template [\(name)] already exists")
            }
        }
    }

    /// `PUT /_template/{name}` (legacy).
    public func putLegacyTemplate(_ name: String, _ body: JSONValue, create: Bool = false, order: Int64? = nil) throws(OpenSearchError) {
        guard case .object(let o) = body else { throw OpenSearchError.parsing("request body must be an object") }
        let patterns = Node.patterns(o["index_patterns"] ?? o["template"])
        if patterns.isEmpty { throw OpenSearchError.actionValidation(["index patterns are missing"]) }
        var t = JSONObject()
        t["order"] = .int(order ?? o["order"]?.int64Value ?? 0)
        if let v = o["version"] { t["version"] = v }
        t["index_patterns"] = .array(patterns.map { .string($0) })
        let section = try Node.normaliseTemplateSection(.object(o), legacy: true)
        t["settings"] = section["settings"] ?? .object(JSONObject())
        t["mappings"] = section["mappings"] ?? .object(JSONObject())
        t["aliases"] = section["aliases"] ?? .object(JSONObject())
        try storeTemplate(.legacy, name, .object(t)) { md throws(OpenSearchError) in
            if create && md.legacyTemplates[name] != nil {
                throw OpenSearchError.illegalArgument("index_template [\(name)] already exists")
            }
        }
    }

    /// Checks under the metadata lock, persists, then publishes.
    func storeTemplate(_ kind: TemplateKind, _ name: String, _ value: JSONValue?, check: (ClusterMetadata) throws(OpenSearchError) -> Void) throws(OpenSearchError) {
        let catalog = self.catalog
        let r: Result<Void, OpenSearchError> = metadata.withLock { md in
            do throws(OpenSearchError) { try check(md) } catch { return .failure(error) }
            do { try catalog.updateMetadata([(kind.rawValue, name, value.map { JSONWriter.string($0) })]) } catch {
                return .failure(OpenSearchError("exception", "failed to persist template [\(name)]: \(error)", status: 500))
            }
            switch kind {
            case .composable: md.indexTemplates[name] = value
            case .component: md.componentTemplates[name] = value
            case .legacy: md.legacyTemplates[name] = value
            }
            return .success(())
        }
        try r.get()
    }

    /// Names in a template registry matching `expression` (comma list, wildcards); nil or `*` is all.
    public func templateNames(_ kind: TemplateKind, _ expression: String?) -> [String] {
        let md = clusterMetadata
        let all: [String]
        switch kind {
        case .composable: all = Array(md.indexTemplates.keys)
        case .component: all = Array(md.componentTemplates.keys)
        case .legacy: all = Array(md.legacyTemplates.keys)
        }
        guard let expression, expression != "*", expression != "_all" else { return all.sorted() }
        let parts = expression.split(separator: ",").map(String.init)
        return all.filter { n in parts.contains { $0 == n || ($0.contains("*") && Wildcard.matches($0, n)) } }.sorted()
    }

    public func template(_ kind: TemplateKind, _ name: String) -> JSONValue? {
        let md = clusterMetadata
        switch kind {
        case .composable: return md.indexTemplates[name]
        case .component: return md.componentTemplates[name]
        case .legacy: return md.legacyTemplates[name]
        }
    }

    /// `DELETE /_index_template/{name}` and friends; wildcards delete every match.
    public func deleteTemplates(_ kind: TemplateKind, _ expression: String) throws(OpenSearchError) {
        let names = templateNames(kind, expression)
        if names.isEmpty {
            switch kind {
            case .composable, .legacy: throw OpenSearchError("index_template_missing_exception", "index_template [\(expression)] missing", status: 404)
            case .component: throw OpenSearchError("resource_not_found_exception", "\(expression)", status: 404)
            }
        }
        for name in names {
            try storeTemplate(kind, name, nil) { md throws(OpenSearchError) in
                guard kind == .component else { return }
                let users = md.indexTemplates.filter { ($0.value["composed_of"]?.arrayValue ?? []).contains(.string(name)) }.map(\.key).sorted()
                if !users.isEmpty {
                    throw OpenSearchError.illegalArgument("component templates [\(name)] cannot be removed as they are still in use by index templates [\(users.joined(separator: ", "))]")
                }
            }
        }
    }

    /// The templates a new index named `name` takes: the highest-priority composable template
    /// (its component templates in order, then its own section), else every matching legacy
    /// template by ascending `order`.
    public func templateLayers(for name: String) throws(OpenSearchError) -> TemplateLayers {
        let md = clusterMetadata
        var layers = TemplateLayers()
        func add(_ section: JSONValue?) throws(OpenSearchError) {
            guard case .object(let s)? = section else { return }
            if let v = s["settings"] { layers.settings.append(v) }
            if let v = s["mappings"] { layers.mappings.append(v) }
            if case .object(let a)? = s["aliases"] {
                for (alias, def) in a { if let d = def.objectValue { layers.aliases[alias] = try AliasMetadata.parse(d) } }
            }
        }
        let hidden = name.hasPrefix(".")
        let matching = md.indexTemplates.filter { (_, t) in
            Node.patterns(t["index_patterns"]).contains { p in Wildcard.matches(p, name) && (!hidden || p != "*") }
        }
        if let (tname, t) = matching.max(by: { a, b in
            let pa = a.value["priority"]?.int64Value ?? 0, pb = b.value["priority"]?.int64Value ?? 0
            return pa == pb ? a.key > b.key : pa < pb
        }) {
            for c in t["composed_of"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                try add(md.componentTemplates[c]?["template"])
            }
            try add(t["template"])
            layers.templateNames = [tname]
            return layers
        }
        let legacy = md.legacyTemplates.filter { Node.patterns($0.value["index_patterns"]).contains { Wildcard.matches($0, name) } }
            .sorted { a, b in
                let oa = a.value["order"]?.int64Value ?? 0, ob = b.value["order"]?.int64Value ?? 0
                return oa == ob ? a.key < b.key : oa < ob
            }
        for (tname, t) in legacy {
            try add(t)
            layers.templateNames.append(tname)
        }
        return layers
    }

    /// Whether two index patterns can match a common name (an approximation of OpenSearch's
    /// automaton intersection: literal prefixes/suffixes around the wildcards must agree).
    static func overlap(_ a: String, _ b: String) -> Bool {
        if Wildcard.matches(a, b) || Wildcard.matches(b, a) { return true }
        let pa = a.prefix { $0 != "*" }, pb = b.prefix { $0 != "*" }
        let sa = String(a.reversed()).prefix { $0 != "*" }, sb = String(b.reversed()).prefix { $0 != "*" }
        guard a.contains("*") && b.contains("*") else { return false }
        return (pa.hasPrefix(pb) || pb.hasPrefix(pa)) && (sa.hasPrefix(sb) || sb.hasPrefix(sa))
    }

    /// Mappings of a later template layer over an earlier one: objects merge, a field whose type
    /// changes is replaced whole.
    public static func mergeMappings(_ a: JSONValue, _ b: JSONValue) -> JSONValue {
        guard case .object(var base) = a, case .object(let top) = b else { return b }
        if case .object = b, let t1 = base["type"], let t2 = top["type"], t1 != t2 { return b }
        for (k, v) in top {
            if let old = base[k], case .object = old, case .object = v { base[k] = mergeMappings(old, v) } else { base[k] = v }
        }
        return .object(base)
    }

    static func list(_ a: [String]) -> String { "[" + a.joined(separator: ", ") + "]" }
}
