import Index
import JSON

/// `_source` filtering: disabled, or include/exclude path patterns (`a.*`, `b`).
public struct SourceFilter: Sendable, Equatable {
    public var disabled = false
    public var includes: [String] = []
    public var excludes: [String] = []

    public init(disabled: Bool = false, includes: [String] = [], excludes: [String] = []) {
        self.disabled = disabled
        self.includes = includes
        self.excludes = excludes
    }

    /// From a request body's `_source` (bool, string, list, or `{includes, excludes}`).
    public static func parse(_ v: JSONValue) throws(OpenSearchError) -> SourceFilter {
        func strings(_ v: JSONValue?) -> [String] {
            switch v {
            case .string(let s)?: return [s]
            case .array(let a)?: return a.compactMap(\.stringValue)
            default: return []
            }
        }
        switch v {
        case .bool(let b): return SourceFilter(disabled: !b)
        case .string, .array: return SourceFilter(includes: strings(v))
        case .object(let o):
            var f = SourceFilter()
            for (k, x) in o {
                switch k {
                case "includes", "include": f.includes = strings(x)
                case "excludes", "exclude": f.excludes = strings(x)
                default: throw OpenSearchError.parsing("Unknown key for a \(x.tokenName) in [\(k)].")
                }
            }
            return f
        default:
            throw OpenSearchError.parsing("[_source] must be a boolean, string, array or object")
        }
    }

    /// From `_source`, `_source_includes`, `_source_excludes` URL parameters; nil when none is set.
    public static func fromParams(source: String?, includes: String?, excludes: String?) -> SourceFilter? {
        if source == nil && includes == nil && excludes == nil { return nil }
        var f = SourceFilter()
        if let source {
            if source == "false" { f.disabled = true } else if source != "true" && !source.isEmpty { f.includes = source.split(separator: ",").map(String.init) }
        }
        if let includes { f.includes = includes.split(separator: ",").map(String.init) }
        if let excludes { f.excludes = excludes.split(separator: ",").map(String.init) }
        return f
    }

    public var isPassThrough: Bool { !disabled && includes.isEmpty && excludes.isEmpty }

    /// The filtered source, or nil when `_source` is disabled.
    public func apply(_ raw: [UInt8]) -> JSONValue? {
        if disabled { return nil }
        guard let v = try? JSONParser.parse(raw) else { return nil }
        guard !isPassThrough, case .object(let o) = v else { return v }
        return .object(filter(o, prefix: ""))
    }

    func filter(_ o: JSONObject, prefix: String) -> JSONObject {
        var out = JSONObject()
        for (k, v) in o {
            let path = prefix.isEmpty ? k : "\(prefix).\(k)"
            if excludes.contains(where: { Wildcard.matches($0, path) || Wildcard.matches($0 + ".*", path) }) { continue }
            let included = includes.isEmpty || includes.contains { Wildcard.matches($0, path) || Wildcard.matches($0 + ".*", path) }
            if case .object(let sub) = v {
                if included { out[k] = .object(filter(sub, prefix: path)); continue }
                if includes.contains(where: { $0.hasPrefix(path + ".") || $0.hasPrefix("*") }) {
                    let f = filter(sub, prefix: path)
                    if !f.isEmpty { out[k] = .object(f) }
                }
                continue
            }
            if included { out[k] = v }
        }
        return out
    }
}
