/// An operation a request performs, named as OpenSearch names it (the name appears in 403
/// messages), with the scope it is checked at and the privilege that grants it.
public struct Action: Sendable, Hashable, CustomStringConvertible {
    public enum Scope: Sendable { case cluster, index }
    public let name: String
    public let scope: Scope
    public let privilege: Privilege

    public init(_ name: String, _ scope: Scope, _ privilege: Privilege) {
        self.name = name
        self.scope = scope
        self.privilege = privilege
    }

    public var description: String { name }

    // Cluster actions.
    public static let clusterMonitor = Action("cluster:monitor/main", .cluster, .monitor)
    public static let clusterHealth = Action("cluster:monitor/health", .cluster, .monitor)
    public static let clusterState = Action("cluster:monitor/state", .cluster, .monitor)
    public static let nodesInfo = Action("cluster:monitor/nodes/info", .cluster, .monitor)
    public static let tasks = Action("cluster:monitor/tasks/lists", .cluster, .monitor)
    public static let clusterSettingsGet = Action("cluster:monitor/settings/get", .cluster, .monitor)
    public static let clusterSettingsPut = Action("cluster:admin/settings/update", .cluster, .manage)
    public static let templateGet = Action("indices:admin/index_template/get", .cluster, .monitor)
    public static let templatePut = Action("indices:admin/index_template/put", .cluster, .manage)
    public static let scriptGet = Action("cluster:admin/script/get", .cluster, .monitor)
    public static let scriptPut = Action("cluster:admin/script/put", .cluster, .manage)
    public static let scriptExecute = Action("cluster:admin/scripts/painless/execute", .cluster, .monitor)
    public static let ismGet = Action("cluster:admin/opendistro/ism/policy/get", .cluster, .monitor)
    public static let ismWrite = Action("cluster:admin/opendistro/ism/policy/write", .cluster, .manage)
    public static let pitAll = Action("cluster:admin/point_in_time/read_all", .cluster, .monitor)
    public static let pitDeleteAll = Action("cluster:admin/point_in_time/delete_all", .cluster, .manage)
    public static let snapshotGet = Action("cluster:admin/snapshot/get", .cluster, .monitor)
    public static let snapshotCreate = Action("cluster:admin/snapshot/create", .cluster, .manage)
    public static let snapshotDelete = Action("cluster:admin/snapshot/delete", .cluster, .manage)
    public static let snapshotRestore = Action("cluster:admin/snapshot/restore", .cluster, .manage)
    public static let repositoryGet = Action("cluster:admin/repository/get", .cluster, .monitor)
    public static let repositoryPut = Action("cluster:admin/repository/put", .cluster, .manage)
    public static let repositoryDelete = Action("cluster:admin/repository/delete", .cluster, .manage)
    public static let repositoryVerify = Action("cluster:admin/repository/verify", .cluster, .manage)
    public static let prometheusMetrics = Action("cluster:monitor/prometheus", .cluster, .monitor)
    /// Anything not classified: only `cluster_all` grants it.
    public static let clusterAdmin = Action("cluster:admin/unknown", .cluster, .manage)

    // Index actions.
    public static let search = Action("indices:data/read/search", .index, .read)
    public static let get = Action("indices:data/read/get", .index, .read)
    public static let mget = Action("indices:data/read/mget", .index, .read)
    public static let msearch = Action("indices:data/read/msearch", .index, .read)
    public static let fieldCaps = Action("indices:data/read/field_caps", .index, .read)
    public static let pitCreate = Action("indices:data/read/point_in_time/create", .index, .read)
    public static let export = Action("indices:data/read/export", .index, .read)
    public static let index = Action("indices:data/write/index", .index, .write)
    public static let delete = Action("indices:data/write/delete", .index, .write)
    public static let update = Action("indices:data/write/update", .index, .write)
    public static let bulkItem = Action("indices:data/write/bulk[s]", .index, .write)
    public static let updateByQuery = Action("indices:data/write/update/byquery", .index, .write)
    public static let reindexWrite = Action("indices:data/write/reindex", .index, .write)
    public static let refresh = Action("indices:admin/refresh", .index, .write)
    public static let indexGet = Action("indices:admin/get", .index, .view)
    public static let mappingGet = Action("indices:admin/mappings/get", .index, .view)
    public static let settingsGet = Action("indices:monitor/settings/get", .index, .view)
    public static let stats = Action("indices:monitor/stats", .index, .view)
    public static let aliasesGet = Action("indices:admin/aliases/get", .index, .view)
    public static let resolveIndex = Action("indices:admin/resolve/index", .index, .view)
    public static let ismExplain = Action("cluster:admin/opendistro/ism/managedindex/explain", .index, .view)
    public static let createIndex = Action("indices:admin/create", .index, .create)
    public static let deleteIndex = Action("indices:admin/delete", .index, .manage)
    public static let mappingPut = Action("indices:admin/mapping/put", .index, .manage)
    public static let settingsPut = Action("indices:admin/settings/update", .index, .manage)
    public static let aliases = Action("indices:admin/aliases", .index, .manage)
    public static let forceMerge = Action("indices:admin/forcemerge", .index, .manage)
    public static let rollover = Action("indices:admin/rollover", .index, .manage)
    public static let ismManage = Action("cluster:admin/opendistro/ism/managedindex/add", .index, .manage)
}
