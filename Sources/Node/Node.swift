import Foundation
import Index
import JSON
import Logging
import Query
import Storage
import Synchronization

/// The single node: opens the data directory, recovers every index from the catalog and the
/// translog, and owns the index registry that the REST layer resolves names against.
public final class Node: Sendable {
    public let dataPath: String
    public let catalog: Catalog
    public let clusterName: String
    /// The OpenSearch version reported to clients.
    public let compatVersion: String
    public let nodeName: String
    public let clusterUUID: String
    public let nodeID: String
    public let autoCreateIndex: Bool
    let indexingBufferDocs: Int
    let indexingBufferBytes: Int
    let registry = Mutex<[String: IndexService]>([:])
    /// Open scroll contexts (`?scroll=`, `_search/scroll`).
    public let scrolls = ScrollContexts()
    /// Open points in time.
    public let pits = PointsInTime()
    /// Long-running operations (`_reindex`, …) for `_tasks`.
    public let tasks = TaskRegistry()
    /// Aliases, templates and policies; see `ClusterMetadata`.
    let metadata = Mutex(ClusterMetadata())
    /// The clock lifecycle decisions use (milliseconds since the epoch); tests replace it.
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Roots under which `fs` snapshot repositories may live (OpenSearch's `path.repo`).
    public let pathRepo: [String]
    /// `repository/snapshot` of snapshots being taken now.
    let runningSnapshots = Mutex<Set<String>>([])

    public struct Options: Sendable {
        public var clusterName = "searchlight"
        public var nodeName: String? = nil
        public var autoCreateIndex = true
        /// The OpenSearch version clients see (`GET /`, `_nodes`): OpenSearch Dashboards refuses
        /// a server whose major.minor differs from its own.
        public var compatVersion = "2.17.0"
        /// Documents an index buffers before writing an (unpublished) segment.
        public var indexingBufferDocs = 100_000
        /// `_source` bytes all indices together may buffer (OpenSearch's
        /// `indices.memory.index_buffer_size`); beyond it the largest buffers are flushed.
        public var indexingBufferBytes = 48 << 20
        /// Milliseconds since the epoch; injectable so lifecycle tests need no sleeps.
        public var clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        /// `path.repo`: where snapshot repositories may be registered (default: `<data>/repo`).
        public var pathRepo: [String] = []
        public init() {}
    }

    public init(dataPath: String, options: Options = Options(), logger: Logger = Logger(label: "searchlight.node")) throws(StorageError) {
        self.dataPath = dataPath
        self.logger = logger
        catalog = try Catalog(dataDirectory: dataPath)
        clusterName = options.clusterName
        compatVersion = options.compatVersion
        autoCreateIndex = options.autoCreateIndex
        indexingBufferDocs = options.indexingBufferDocs
        indexingBufferBytes = options.indexingBufferBytes
        clock = options.clock
        pathRepo = (options.pathRepo.isEmpty ? ["\(dataPath)/repo"] : options.pathRepo).map(Node.absolutePath)
        if let u = try catalog.meta("cluster_uuid") { clusterUUID = u } else {
            clusterUUID = Node.randomID(22)
            try catalog.setMeta("cluster_uuid", clusterUUID)
        }
        if let n = try catalog.meta("node_id") { nodeID = n } else {
            nodeID = Node.randomID(22)
            try catalog.setMeta("node_id", nodeID)
        }
        nodeName = options.nodeName ?? (ProcessInfo.processInfo.hostName.isEmpty ? "searchlight" : ProcessInfo.processInfo.hostName)
        try recover()
        try loadAliases()
        try loadTemplates()
        try loadLifecycle()
    }

    static func randomID(_ n: Int) -> String {
        let a = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<n).map { _ in a.randomElement()! })
    }

    /// Opens every index in the catalog: its committed segments plus the translog tail.
    func recover() throws(StorageError) {
        let started = DispatchTime.now()
        var opened: [IndexService] = []
        for r in try catalog.indices() {
            let mapping = (try? JSONParser.parse(r.mappings)).flatMap { try? Mapping.parse($0) } ?? Mapping()
            let svc = IndexService(name: r.name, uuid: r.uuid, createdMillis: r.createdMillis, mapping: mapping,
                                   settings: IndexSettings.fromStored(r.settings), catalog: catalog, dataPath: dataPath,
                                   bufferDocLimit: indexingBufferDocs)
            let outcome: Result<Void, OpenSearchError> = svc.writeQueue.sync {
                do throws(OpenSearchError) { try svc.recover(); return .success(()) } catch { return .failure(error) }
            }
            if case .failure(let error) = outcome {
                // Listed but red: reads and writes answer the cause, the name stays taken (the
                // catalog still holds it), and `searchlight repair` recovers what is intact.
                logger.critical("index [\(r.name)] could not be recovered and is RED (not served): \(error.reason); stop the server and run `searchlight repair --index \(r.name)`")
                svc.markUnavailable(error)
            }
            opened.append(svc)
        }
        registry.withLock { reg in for s in opened { reg[s.name] = s } }
        let ms = (DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1_000_000
        let red = opened.filter { $0.unavailableReason != nil }.count
        logger.info("recovered \(opened.count - red) indices in \(ms) ms\(red > 0 ? ", \(red) red" : "")")
    }

    /// Keeps the node's indexing buffers within budget by flushing the largest ones (they stay
    /// invisible to searches until their index refreshes). Called after writes.
    public func enforceIndexingBuffer() async {
        var sizes = allIndices.map { ($0, $0.bufferedBytes) }
        var total = sizes.reduce(0) { $0 + $1.1 }
        guard total > indexingBufferBytes else { return }
        sizes.sort { $0.1 > $1.1 }
        for (svc, bytes) in sizes where total > indexingBufferBytes / 2 && bytes > 0 {
            do { try await svc.flushBuffer() } catch {
                logger.error("flushing the indexing buffer of [\(svc.name)] failed: \(error)")
            }
            total -= bytes
        }
    }

    /// Refreshes every index whose `index.refresh_interval` has elapsed with changes waiting.
    /// Call periodically (the server does, every 100 ms).
    public func refreshDueIndices() async {
        let now = DispatchTime.now().uptimeNanoseconds
        for svc in allIndices where svc.refreshDue(now: now) {
            do { try await svc.refresh() } catch {
                logger.error("scheduled refresh of [\(svc.name)] failed: \(error)")
            }
        }
    }

    public var allIndices: [IndexService] {
        registry.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }

    public func index(named name: String) -> IndexService? { registry.withLock { $0[name] } }

    /// `PUT /{index}` (and auto-creation): validates the name, applies the matching templates
    /// under the request body, persists, registers, and adds the aliases.
    @discardableResult
    public func createIndex(_ name: String, body: JSONValue? = nil, applyTemplates: Bool = true) throws(OpenSearchError) -> IndexService {
        try IndexName.validate(name)
        if isAlias(name) {
            throw OpenSearchError("invalid_index_name_exception", "Invalid index name [\(name)], already exists as alias", status: 400,
                                  metadata: JSONObject([("index_uuid", "_na_"), ("index", .string(name))]))
        }
        var settingsJSON: JSONValue? = nil
        var mappingsJSON: JSONValue? = nil
        var aliasesJSON: JSONObject? = nil
        if let body {
            guard case .object(let o) = body else { throw OpenSearchError.parsing("request body must be an object") }
            for (k, v) in o {
                switch k {
                case "settings": settingsJSON = v
                case "mappings": mappingsJSON = v
                case "aliases":
                    guard case .object(let a) = v else { throw OpenSearchError.parsing("key [aliases] must be an object") }
                    aliasesJSON = a
                default:
                    // Bare settings at the top level are accepted by OpenSearch too.
                    if k.hasPrefix("index.") || ["number_of_shards", "number_of_replicas", "index"].contains(k) {
                        var s = settingsJSON?.objectValue ?? JSONObject()
                        s[k] = v
                        settingsJSON = .object(s)
                    } else {
                        throw OpenSearchError.parsing("unknown key [\(k)] for create index")
                    }
                }
            }
        }
        let templated = applyTemplates ? try templateLayers(for: name) : TemplateLayers()
        var settings = IndexSettings()
        for layer in templated.settings { try settings.update(layer) }
        try settings.update(settingsJSON)
        // Layers merge as JSON first: a later template may redefine a field an earlier one mapped.
        var mergedMappings: JSONValue? = nil
        for layer in templated.mappings + (mappingsJSON.map { [$0] } ?? []) {
            mergedMappings = mergedMappings.map { Node.mergeMappings($0, layer) } ?? layer
        }
        let mapping = try mergedMappings.map { m throws(OpenSearchError) in try Mapping.parse(m) } ?? Mapping()
        var aliases = templated.aliases
        for (alias, v) in aliasesJSON ?? JSONObject() {
            guard case .object(let ao) = v else { throw OpenSearchError.parsing("alias [\(alias)] must be an object") }
            aliases[alias] = try AliasMetadata.parse(ao)
        }
        for alias in aliases.keys {
            if alias == name || index(named: alias) != nil {
                throw OpenSearchError("invalid_alias_name_exception", "Invalid alias name [\(alias)]: an index or data stream exists with the same name as the alias", status: 400,
                                      metadata: JSONObject([("index", .string(alias))]))
            }
        }
        if !aliases.isEmpty {
            var next = clusterMetadata.aliases
            next[name] = aliases
            if let problem = Node.writeIndexProblem(next) { throw problem }
        }
        if mapping.totalFieldCount > settings.totalFieldsLimit {
            throw OpenSearchError.illegalArgument("Limit of total fields [\(settings.totalFieldsLimit)] has been exceeded")
        }
        let uuid = Node.randomID(22)
        let now = clock()
        if settings["index.number_of_shards"] == nil { settings.set("index.number_of_shards", "1") }
        if settings["index.number_of_replicas"] == nil { settings.set("index.number_of_replicas", "1") }
        settings.set("index.uuid", uuid)
        settings.set("index.creation_date", String(now))
        settings.set("index.provided_name", name)
        settings.set("index.version.created", "136387927")
        let finalSettings = settings
        let catalog = self.catalog
        let dataPath = self.dataPath
        let bufferDocs = indexingBufferDocs
        let r: Result<IndexService, OpenSearchError> = registry.withLock { reg in
            if let existing = reg[name] {
                return .failure(OpenSearchError("resource_already_exists_exception", "index [\(name)/\(existing.uuid)] already exists", status: 400,
                                                metadata: JSONObject([("index_uuid", .string(existing.uuid)), ("index", .string(name))])))
            }
            do {
                try catalog.createIndex(.init(name: name, uuid: uuid, createdMillis: now, settings: finalSettings.stored,
                                              mappings: JSONWriter.string(mapping.json)))
            } catch {
                return .failure(OpenSearchError("exception", "failed to persist index [\(name)]: \(error)", status: 500))
            }
            let svc = IndexService(name: name, uuid: uuid, createdMillis: now, mapping: mapping, settings: finalSettings, catalog: catalog,
                                   dataPath: dataPath, bufferDocLimit: bufferDocs)
            reg[name] = svc
            return .success(svc)
        }
        let svc = try r.get()
        try addAliases(aliases, to: svc)
        logger.info("created index [\(name)]")
        attachPolicyOnCreate(svc)
        return svc
    }

    /// The index a write goes to, created on first use when `action.auto_create_index` allows it.
    public func writeIndex(_ name: String) throws(OpenSearchError) -> IndexService {
        if let s = index(named: name) { return s }
        if let s = try writeIndex(ofAlias: name) { return s }
        guard autoCreateIndex else { throw OpenSearchError.indexNotFound(name) }
        do {
            return try createIndex(name)
        } catch where error.type == "resource_already_exists_exception" {
            if let s = index(named: name) { return s }
            throw error
        }
    }

    /// Resolves `a,b*,-c,_all` to concrete indices; names and patterns match aliases too unless
    /// `includeAliases` is false.
    public func resolve(_ expression: String, options: IndicesOptions = IndicesOptions(), includeAliases: Bool = true) throws(OpenSearchError) -> [IndexService] {
        try resolveFiltered(expression, options: options, includeAliases: includeAliases).map(\.0)
    }

    /// Snapshots for searching `expression`, each carrying the filter of the aliases it was reached
    /// through (none when any path reached it unfiltered, as OpenSearch does).
    public func searchSnapshots(_ expression: String, options: IndicesOptions = IndicesOptions()) throws(OpenSearchError) -> [IndexSnapshot] {
        var out: [IndexSnapshot] = []
        for (svc, filters) in try resolveFiltered(expression, options: options, includeAliases: true) {
            if let block = svc.readBlock { throw block }
            var snap = svc.snapshot()
            if let filters, !filters.isEmpty {
                let parsed = try filters.map { f throws(OpenSearchError) in try Query.parse(f) }
                snap.aliasFilter = parsed.count == 1 ? parsed[0] : .bool(BoolQuery(should: parsed))
            }
            out.append(snap)
        }
        return out
    }

    /// Concrete indices with the alias filters they were reached through (nil: unfiltered).
    func resolveFiltered(_ expression: String, options: IndicesOptions, includeAliases: Bool) throws(OpenSearchError) -> [(IndexService, [JSONValue]?)] {
        let all = allIndices
        let aliasMap = includeAliases ? metadata.withLock { $0.aliases } : [:]
        let parts = expression.split(separator: ",", omittingEmptySubsequences: true).map(String.init)
        if parts.isEmpty || parts == ["_all"] || parts == ["*"] {
            let visible = all.filter { options.expandHidden || !$0.settings.bool("index.hidden") }
            if visible.isEmpty && !options.allowNoIndices { throw OpenSearchError.indexNotFound(parts.first ?? "_all") }
            return visible.map { ($0, nil) }
        }
        var chosen: [String] = []
        // Per index: nil once reached unfiltered, else the filters of the aliases that reached it.
        var filters: [String: [JSONValue]?] = [:]
        func take(_ name: String, _ filter: JSONValue?, unfiltered: Bool) {
            if filters.index(forKey: name) == nil { chosen.append(name); filters[name] = .some([]) }
            guard case .some(.some(let list)) = filters[name] else { return }
            if unfiltered || filter == nil { filters[name] = .some(nil) } else { filters[name] = .some(list + [filter!]) }
        }
        func aliasMembers(_ alias: String) -> [(String, AliasMetadata)] {
            aliasMap.compactMap { (index, a) in a[alias].map { (index, $0) } }.sorted { $0.0 < $1.0 }
        }
        let allAliasNames = Set(aliasMap.values.flatMap(\.keys))
        var i = 0
        while i < parts.count {
            var p = parts[i]
            i += 1
            if p.hasPrefix("-") && i > 1 {
                p.removeFirst()
                chosen.removeAll { Wildcard.matches(p, $0) }
                for k in Array(filters.keys) where !chosen.contains(k) { filters.removeValue(forKey: k) }
                continue
            }
            if p == "_all" { p = "*" }
            if p.contains("*") {
                let matched = all.filter { (Wildcard.matches(p, $0.name) && !$0.name.hasPrefix(".") || (p.hasPrefix(".") && Wildcard.matches(p, $0.name)))
                    && (options.expandHidden || p.hasPrefix(".") || !$0.settings.bool("index.hidden")) }
                for m in matched { take(m.name, nil, unfiltered: true) }
                var any = !matched.isEmpty
                for alias in allAliasNames.sorted() where Wildcard.matches(p, alias) && (!alias.hasPrefix(".") || p.hasPrefix(".")) {
                    for (index, a) in aliasMembers(alias) where a.isHidden != true || p.hasPrefix(".") || options.expandHidden {
                        take(index, a.filter, unfiltered: false); any = true
                    }
                }
                if !any && !options.allowNoIndices { throw OpenSearchError.indexNotFound(p) }
            } else if index(named: p) != nil {
                take(p, nil, unfiltered: true)
            } else if allAliasNames.contains(p) {
                for (index, a) in aliasMembers(p) { take(index, a.filter, unfiltered: false) }
            } else {
                if options.ignoreUnavailable { continue }
                throw OpenSearchError.indexNotFound(p)
            }
        }
        let reg = registry.withLock { $0 }
        let result: [(IndexService, [JSONValue]?)] = chosen.compactMap { n in reg[n].map { ($0, filters[n] ?? nil) } }
        if result.isEmpty && !options.allowNoIndices { throw OpenSearchError.indexNotFound(expression) }
        return result
    }

    /// `DELETE /{index}`: removes the indices, their catalog rows and translog.
    public func deleteIndices(_ expression: String, options: IndicesOptions = IndicesOptions()) throws(OpenSearchError) -> [String] {
        if expression == "_all" || expression == "*" {
            // OpenSearch refuses wildcard-all deletes only with action.destructive_requires_name; allowed by default.
        }
        let aliasNames = clusterMetadata.aliasNames
        for part in expression.split(separator: ",").map(String.init) where !options.ignoreUnavailable && aliasNames.contains(part) && index(named: part) == nil {
            throw OpenSearchError.illegalArgument("The provided expression [\(part)] matches an alias, specify the corresponding concrete indices instead.")
        }
        let targets = try resolve(expression, options: options, includeAliases: false)
        for svc in targets {
            // Wait for in-flight writes on this index, then remove it.
            svc.writeQueue.sync { svc.markClosed() }
            svc.mergeQueue.sync {}  // let a running merge build finish before the files go
            do { try catalog.deleteIndex(uuid: svc.uuid) } catch {
                throw OpenSearchError("exception", "failed to delete index [\(svc.name)]: \(error)", status: 500)
            }
            _ = registry.withLock { $0.removeValue(forKey: svc.name) }
            metadata.withLock { md in
                md.aliases[svc.name] = nil
                md.lifecycle[svc.name] = nil
            }
            svc.removeDirectory()
            logger.info("deleted index [\(svc.name)]")
        }
        return targets.map(\.name)
    }
}
