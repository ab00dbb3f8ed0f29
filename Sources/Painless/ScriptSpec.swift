import Index
import JSON

/// A `script` as requests carry it: a string (inline Painless) or `{source|id, lang, params, options}`.
public struct ScriptSpec: Sendable, Equatable {
    public var source: String?
    /// A stored script's id.
    public var id: String?
    public var lang: String
    public var params: JSONObject?
    public static let maxSizeInBytes = 65_535

    public init(source: String?, id: String? = nil, lang: String = "painless", params: JSONObject? = nil) {
        self.source = source
        self.id = id
        self.lang = lang
        self.params = params
    }

    public static func parse(_ v: JSONValue) throws(OpenSearchError) -> ScriptSpec {
        switch v {
        case .string(let s): return ScriptSpec(source: s)
        case .object(let o):
            var spec = ScriptSpec(source: nil)
            var langGiven = false
            for (k, v) in o {
                switch k {
                case "source", "inline":
                    switch v {
                    case .string(let s): spec.source = s
                    case .object: spec.source = JSONWriter.string(v)
                    default: throw OpenSearchError.parsing("[script] failed to parse field [\(k)]")
                    }
                case "id":
                    guard let s = v.stringValue else { throw OpenSearchError.parsing("[script] failed to parse field [id]") }
                    spec.id = s
                case "lang":
                    guard let s = v.stringValue else { throw OpenSearchError.parsing("[script] failed to parse field [lang]") }
                    spec.lang = s
                    langGiven = true
                case "params":
                    if v.isNull { continue }
                    guard case .object(let p) = v else {
                        throw OpenSearchError.parsing("[script] params must be an object but found [\(v.tokenName)]")
                    }
                    spec.params = p
                case "options":
                    continue
                default:
                    throw OpenSearchError.parsing("[script] unknown field [\(k)]")
                }
            }
            if (spec.source == nil) == (spec.id == nil) {
                throw OpenSearchError.illegalArgument("must specify either [source] for an inline script or [id] for a stored script")
            }
            if spec.id != nil && langGiven {
                throw OpenSearchError.illegalArgument("illegal to specify [lang] for stored script [\(spec.id!)]")
            }
            return spec
        default:
            throw OpenSearchError.parsing("[script] unknown token [\(v.tokenName)]")
        }
    }

    /// Compiles (through the cache) the inline source; stored scripts are resolved by the caller.
    public func compiled(cache: ScriptCache = .shared, storedSource: String? = nil) throws(OpenSearchError) -> PainlessScript {
        guard lang == "painless" else { throw OpenSearchError.illegalArgument("script_lang not supported [\(lang)]") }
        guard let src = source ?? storedSource else {
            throw OpenSearchError("resource_not_found_exception", "unable to find script [\(id ?? "")] in cluster state", status: 404)
        }
        // OpenSearch's `script.max_size_in_bytes`.
        if src.utf8.count > ScriptSpec.maxSizeInBytes {
            throw OpenSearchError.illegalArgument("exceeded max allowed inline script size in bytes [\(ScriptSpec.maxSizeInBytes)] with size [\(src.utf8.count)] for script [\(src.prefix(100))...]")
        }
        do throws(PainlessError) {
            return try cache.script(src)
        } catch {
            throw error.scriptException(source: src)
        }
    }
}
