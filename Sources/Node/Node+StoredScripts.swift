import Index
import JSON
import Painless

/// Stored scripts (`PUT /_scripts/{id}`), kept in the catalog's `meta` table under `script:<id>`
/// as `{"lang":…,"source":…}`; an empty value marks a deleted script.
extension Node {
    static func scriptKey(_ id: String) -> String { "script:\(id)" }

    /// The stored script `id`, or nil.
    public func storedScript(_ id: String) throws(OpenSearchError) -> ScriptSpec? {
        let raw: String?
        do { raw = try catalog.meta(Node.scriptKey(id)) } catch {
            throw OpenSearchError("storage_exception", "failed to read stored script [\(id)]: \(error)", status: 500)
        }
        guard let raw, !raw.isEmpty, case .object(let o)? = try? JSONParser.parse(raw) else { return nil }
        return ScriptSpec(source: o["source"]?.stringValue, lang: o["lang"]?.stringValue ?? "painless")
    }

    /// Compiles, then stores; compile errors come back as `script_exception`.
    public func putStoredScript(_ id: String, lang: String, source: String) throws(OpenSearchError) {
        _ = try ScriptSpec(source: source, lang: lang).compiled()
        do {
            try catalog.setMeta(Node.scriptKey(id), JSONWriter.string(["lang": .string(lang), "source": .string(source)]))
        } catch {
            throw OpenSearchError("storage_exception", "failed to store script [\(id)]: \(error)", status: 500)
        }
    }

    /// False when there was no such script.
    public func deleteStoredScript(_ id: String) throws(OpenSearchError) -> Bool {
        guard try storedScript(id) != nil else { return false }
        do { try catalog.setMeta(Node.scriptKey(id), "") } catch {
            throw OpenSearchError("storage_exception", "failed to delete script [\(id)]: \(error)", status: 500)
        }
        return true
    }

    /// Replaces a `script: {id, params}` reference by the stored source, keeping the params.
    public func resolveStoredScript(_ spec: ScriptSpec) throws(OpenSearchError) -> ScriptSpec {
        guard let id = spec.id, spec.source == nil else { return spec }
        guard let stored = try storedScript(id) else {
            throw OpenSearchError("resource_not_found_exception", "unable to find script [\(id)] in cluster state", status: 404)
        }
        return ScriptSpec(source: stored.source, lang: stored.lang, params: spec.params)
    }
}
