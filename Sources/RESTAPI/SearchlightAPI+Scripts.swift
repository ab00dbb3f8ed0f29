import Index
import JSON
import Node
import Painless

extension SearchlightAPI {
    /// `PUT|POST|GET|DELETE /_scripts/{id}`: stored Painless scripts.
    static func registerScripts(_ r: inout Router, _ node: Node) {
        let put: Router.Handler = { req throws(OpenSearchError) in
            let id = req[path: "id"]!
            guard case .object(let body) = try req.requiredJSON(), case .object(let s)? = body["script"] else {
                throw OpenSearchError.parsing("unable to parse stored script, [script] is missing")
            }
            guard let lang = s["lang"]?.stringValue else { throw OpenSearchError.illegalArgument("must specify lang for stored script") }
            guard let source = s["source"]?.stringValue ?? s["code"]?.stringValue, !source.isEmpty else {
                throw OpenSearchError.illegalArgument("must specify source for stored script")
            }
            try node.putStoredScript(id, lang: lang, source: source)
            return RESTResponse(200, ["acknowledged": true])
        }
        r.add([.PUT, .POST], "/_scripts/{id}", put)
        r.add([.GET], "/_scripts/{id}") { req throws(OpenSearchError) in
            let id = req[path: "id"]!
            guard let s = try node.storedScript(id) else { return RESTResponse(404, ["_id": .string(id), "found": false]) }
            return RESTResponse(200, .object(JSONObject([("_id", .string(id)), ("found", true),
                                                         ("script", ["lang": .string(s.lang), "source": .string(s.source ?? "")])])))
        }
        // The Painless execute API in its `painless_test` context: runs a script with `params`
        // and answers its value converted to a string.
        let execute: Router.Handler = { req throws(OpenSearchError) in
            guard case .object(let body) = try req.requiredJSON(), let s = body["script"] else {
                throw OpenSearchError.actionValidation(["script is missing"])
            }
            if let c = body["context"]?.stringValue, c != "painless_test" {
                throw OpenSearchError.illegalArgument("unsupported context [\(c)]")
            }
            let spec = try node.resolveStoredScript(try ScriptSpec.parse(s))
            let script = try spec.compiled()
            do throws(PainlessError) {
                let v = try script.evaluateToString(params: .object(spec.params ?? JSONObject()))
                return RESTResponse(200, ["result": .string(v)])
            } catch {
                throw error.scriptException(source: script.source)
            }
        }
        r.add([.GET, .POST], "/_scripts/painless/_execute", execute)
        r.add([.DELETE], "/_scripts/{id}") { req throws(OpenSearchError) in
            let id = req[path: "id"]!
            guard try node.deleteStoredScript(id) else {
                throw OpenSearchError("resource_not_found_exception", "stored script [\(id)] does not exist", status: 404)
            }
            return RESTResponse(200, ["acknowledged": true])
        }
    }
}
