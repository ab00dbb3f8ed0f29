import Index
import JSON
import Node
import Security

extension SearchlightAPI {
    /// `GET /_plugins/_security/authinfo`: who the caller is, shaped like the security plugin's
    /// answer. Without security the route is absent, as on a cluster without the plugin.
    static func registerSecurity(_ r: inout Router, _ node: Node) {
        r.add([.GET, .POST], "/_plugins/_security/authinfo") { req throws(OpenSearchError) in
            guard let p = req.principal else {
                return RESTResponse(400, ["error": .string("no handler found for uri [\(req.path)] and method [\(req.method.rawValue)]"), "status": 400])
            }
            return RESTResponse(200, .object(JSONObject([
                ("user", .string("User [name=\(p.name), backend_roles=[], requestedTenant=null]")),
                ("user_name", .string(p.name)),
                ("user_requested_tenant", .null),
                ("remote_address", req.remoteAddress.map { .string($0) } ?? .null),
                ("backend_roles", .array([])),
                ("custom_attribute_names", .array([])),
                ("roles", .array(p.roles.map { .string($0) })),
                ("tenants", .object(JSONObject([(p.name, true)]))),
                ("principal", .null),
                ("peer_certificates", "0"),
                ("sso_logout_url", .null),
                ("authentication_method", .string(p.method.rawValue)),
                ("api_key_id", p.apiKeyID.map { .string($0) } ?? .null),
            ])))
        }
    }
}
