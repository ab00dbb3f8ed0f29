import Foundation
import Node
@testable import RESTAPI
import Security
import Testing

/// Every route must say what it needs: a new endpoint that falls through to the admin-only
/// default has to be classified on purpose (or listed here as admin-only).
@Suite struct RoutePermissionsTests {
    static let adminOnly: Set<String> = ["/_plugins/_ism/_tick"]

    @Test func everyRouteIsClassified() throws {
        let dir = TempDir()
        let api = SearchlightAPI(node: try Node(dataPath: dir.path), testClock: ManualClock())
        #expect(api.router.routes.count > 100)
        var unclassified: [String] = []
        for route in api.router.routes {
            for m in route.methods where RoutePermissions.requirement(m, route.template) == .cluster(.clusterAdmin) {
                if !RoutePermissionsTests.adminOnly.contains(route.template) { unclassified.append("\(m.rawValue) \(route.template)") }
            }
        }
        #expect(unclassified.isEmpty, "routes without a permission: \(unclassified)")
    }

    @Test func readsAndWritesOfOneTemplateDiffer() {
        #expect(RoutePermissions.requirement(.GET, "/{index}/_doc/{id}") == .index(.get, param: "index"))
        #expect(RoutePermissions.requirement(.PUT, "/{index}/_doc/{id}") == .index(.index, param: "index"))
        #expect(RoutePermissions.requirement(.DELETE, "/{index}/_doc/{id}") == .index(.delete, param: "index"))
        #expect(RoutePermissions.requirement(.GET, "/_aliases") == .index(.aliasesGet, param: "index"))
        #expect(RoutePermissions.requirement(.POST, "/_aliases") == .body)
        #expect(RoutePermissions.requirement(.GET, "/_alias/{name}") == .index(.aliasesGet, param: "name"))
        #expect(RoutePermissions.requirement(.PUT, "/_alias/{name}") == .body)
        #expect(RoutePermissions.requirement(.PUT, "/_index_template/{name}") == .cluster(.templatePut))
        #expect(RoutePermissions.requirement(.GET, "/_index_template/{name}") == .cluster(.templateGet))
    }
}
