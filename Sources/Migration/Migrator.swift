import Foundation
import JSON

/// Copies templates, lifecycle policies, indices (settings, mappings), documents and aliases
/// from one OpenSearch-compatible cluster to another through their public REST APIs, saving a
/// checkpoint after every acknowledged `_bulk` so an interrupted run resumes.
///
/// Documents are read per index through a point in time (plain searches when the source has
/// none) sorted by `_seq_no` (tiebreaker `_shard_doc`), paged with `search_after`, and written
/// as `_bulk` `index` operations with the same `_id` and `routing`. `_seq_no` order is what makes
/// a resume exact on any new point in time: it is stored with every document, and a document
/// indexed or updated after the checkpoint gets a higher one, so a rerun also picks up writes
/// made to a Searchlight source in between (deletions are not replayed).
public final class Migrator: @unchecked Sendable {
    // Invariant: used by one task at a time (`run` is sequential); the callbacks are called on it.
    public struct Options: Sendable {
        /// Index pattern(s), comma-separated, as `GET /{pattern}` takes them.
        public var indices = "*"
        public var checkpointPath = ".searchlight-migrate.json"
        /// Ignore (and overwrite) an existing checkpoint.
        public var fresh = false
        /// Documents per search page.
        public var pageSize = 1000
        /// A `_bulk` body is sent once it reaches this size (or the page ends).
        public var batchBytes = 5 * 1024 * 1024
        /// Stop (as if interrupted) after this many acknowledged batches.
        public var maxBatches: Int?
        public var copyTemplates = true
        public var copyPolicies = true
        /// Destination settings that replace the source's (`index.number_of_shards`, …).
        public var settingOverrides: [String: JSONValue] = [:]
        public init() {}
    }

    public struct Progress: Sendable {
        public var index: String
        public var indexCopied: Int
        public var indexTotal: Int
        public var copied: Int
        public var total: Int
    }

    /// One line of the closing summary.
    public struct IndexReport: Sendable, Equatable {
        public var index: String
        public var sourceCount: Int
        public var destinationCount: Int
        public var copiedThisRun: Int
        public var failed: Int
        public var resumed: Bool
        public var ok: Bool { sourceCount == destinationCount && failed == 0 }
    }

    let source: RESTClient
    let destination: RESTClient
    let options: Options
    let log: @Sendable (String) -> Void
    let progress: @Sendable (Progress) -> Void
    var checkpoint: MigrationCheckpoint
    var batches = 0
    var copiedTotal = 0
    var grandTotal = 0
    /// Problems that did not stop the run (a policy the destination refused, …).
    public private(set) var warnings: [String] = []

    public init(source: RESTClient, destination: RESTClient, options: Options,
                log: @escaping @Sendable (String) -> Void, progress: @escaping @Sendable (Progress) -> Void) {
        self.source = source
        self.destination = destination
        self.options = options
        self.log = log
        self.progress = progress
        checkpoint = MigrationCheckpoint(from: source.base, to: destination.base)
    }

    func warn(_ s: String) {
        warnings.append(s)
        log("warning: " + s)
    }

    func save() throws(MigrationError) { try checkpoint.save(options.checkpointPath) }

    /// Runs (or resumes) the migration; the reports compare document counts per index.
    public func run() async throws(MigrationError) -> [IndexReport] {
        if !options.fresh, let saved = try MigrationCheckpoint.load(options.checkpointPath) {
            guard saved.from == source.base && saved.to == destination.base else {
                throw .failed("checkpoint \(options.checkpointPath) belongs to a migration from \(saved.from) to \(saved.to); "
                              + "pass --fresh to start over or --checkpoint to use another file")
            }
            checkpoint = saved
            let started = saved.indices.filter { $0.value.created }.count
            log("resuming from checkpoint \(options.checkpointPath) (\(started) index(es) started, \(saved.indices.values.filter(\.done).count) done)")
        }
        // Fail early (and clearly) when either side is unreachable or refuses the credentials.
        _ = try await source.expect("GET", "/", nil, "source")
        _ = try await destination.expect("GET", "/", nil, "destination")
        if options.copyTemplates && !checkpoint.templatesDone {
            try await copyTemplates()
            checkpoint.templatesDone = true
            try save()
        }
        if options.copyPolicies && !checkpoint.policiesDone {
            try await copyPolicies()
            checkpoint.policiesDone = true
            try save()
        }
        let pattern = options.indices.split(separator: ",").map { RESTClient.segment(String($0)) }.joined(separator: ",")
        let all = try await source.expect("GET", "/\(pattern)?expand_wildcards=open", nil, "reading the source indices")
        guard case .object(let indices) = all else { throw .failed("GET /\(pattern) did not answer an object") }
        let names = indices.keys.sorted()
        var counts: [String: Int] = [:]
        for name in names {
            // Refreshed first so the point in time sees every acknowledged document.
            _ = try? await source.json("POST", "/\(RESTClient.segment(name))/_refresh")
            counts[name] = try await count(source, name)
        }
        grandTotal = counts.values.reduce(0, +)
        copiedTotal = names.reduce(0) { acc, n in
            let s = checkpoint.indices[n]
            return acc + (s?.documentsDone == true ? counts[n] ?? 0 : min(s?.copied ?? 0, counts[n] ?? 0))
        }
        var reports: [IndexReport] = []
        for name in names {
            guard let info = indices[name] else { continue }
            var state = checkpoint.indices[name] ?? MigrationCheckpoint.IndexState()
            let resumed = state.created
            var copiedNow = 0
            var failed = 0
            if !state.done {
                let filtered = SettingsFilter.filter(info["settings"], overrides: options.settingOverrides)
                if !state.created {
                    try await createIndex(name, settings: filtered.create, mappings: info["mappings"])
                    state.created = true
                    checkpoint.indices[name] = state
                    try save()
                }
                if !state.documentsDone {
                    if let after = state.afterSeqNo { log("resuming \(name) after _seq_no \(after) (\(state.copied) documents copied before)") }
                    (copiedNow, failed) = try await copyDocuments(name, total: counts[name] ?? 0)
                    state = checkpoint.indices[name] ?? state
                    state.documentsDone = true
                    checkpoint.indices[name] = state
                    try save()
                }
                if !filtered.deferred.isEmpty {
                    _ = try await destination.expect("PUT", "/\(RESTClient.segment(name))/_settings", .object(filtered.deferred), "settings of \(name)")
                }
                try await copyAliases(name, info["aliases"])
                try await attachPolicy(name)
                state.done = true
                checkpoint.indices[name] = state
                try save()
            }
            _ = try? await destination.json("POST", "/\(RESTClient.segment(name))/_refresh")
            let dest = try await count(destination, name)
            reports.append(IndexReport(index: name, sourceCount: counts[name] ?? 0, destinationCount: dest, copiedThisRun: copiedNow,
                                       failed: failed, resumed: resumed))
        }
        return reports
    }

    func count(_ c: RESTClient, _ index: String) async throws(MigrationError) -> Int {
        let r = try await c.expect("GET", "/\(RESTClient.segment(index))/_count", nil, "counting \(index)")
        return Int(r["count"]?.int64Value ?? 0)
    }

    // MARK: templates and policies

    func copyTemplates() async throws(MigrationError) {
        // Component templates first: index templates name them in `composed_of`.
        let (cs, components) = try await source.json("GET", "/_component_template")
        if cs == 200 {
            for t in components?["component_templates"]?.arrayValue ?? [] {
                guard let name = t["name"]?.stringValue, let body = t["component_template"] else { continue }
                await put("/_component_template/\(RESTClient.segment(name))", body, "component template \(name)")
            }
        } else {
            warn("source has no component templates API (\(cs)); skipped")
        }
        let (ist, indexTemplates) = try await source.json("GET", "/_index_template")
        if ist == 200 {
            for t in indexTemplates?["index_templates"]?.arrayValue ?? [] {
                guard let name = t["name"]?.stringValue, let body = t["index_template"] else { continue }
                await put("/_index_template/\(RESTClient.segment(name))", body, "index template \(name)")
            }
        } else {
            warn("source has no composable index templates API (\(ist)); skipped")
        }
        let (ls, legacy) = try await source.json("GET", "/_template")
        if ls == 200, case .object(let o)? = legacy {
            for (name, body) in o { await put("/_template/\(RESTClient.segment(name))", body, "legacy template \(name)") }
        } else if ls != 200 {
            warn("source has no legacy templates API (\(ls)); skipped")
        }
    }

    /// PUT on the destination; a refusal is a warning, not the end of the migration.
    func put(_ path: String, _ body: JSONValue, _ what: String) async {
        do throws(MigrationError) {
            let (status, json) = try await destination.json("PUT", path, body)
            if (200..<300).contains(status) { log("copied \(what)") } else { warn("destination refused \(what): \(status) \(RESTClient.reason(json))") }
        } catch {
            warn("\(what): \(error)")
        }
    }

    func copyPolicies() async throws(MigrationError) {
        let (status, json) = try await source.json("GET", "/_plugins/_ism/policies?size=10000")
        guard status == 200 else {
            warn("source has no index state management policies (\(status) \(RESTClient.reason(json))); skipped")
            return
        }
        for p in json?["policies"]?.arrayValue ?? [] {
            guard let id = p["_id"]?.stringValue ?? p["policy"]?["policy_id"]?.stringValue, case .object(var policy)? = p["policy"] else { continue }
            // Fields the ISM plugin maintains itself.
            policy["policy_id"] = nil
            policy["last_updated_time"] = nil
            policy["schema_version"] = nil
            let path = "/_plugins/_ism/policies/\(RESTClient.segment(id))"
            do throws(MigrationError) {
                // Replacing an existing policy takes its sequence number and primary term.
                let (es, existing) = try await destination.json("GET", path)
                var target = path
                if es == 200, let seq = existing?["_seq_no"]?.int64Value, let term = existing?["_primary_term"]?.int64Value {
                    target += "?if_seq_no=\(seq)&if_primary_term=\(term)"
                } else if es != 404 {
                    warn("destination has no index state management (\(es) \(RESTClient.reason(existing))); policy \(id) not copied")
                    continue
                }
                let (ps, pj) = try await destination.json("PUT", target, .object(JSONObject([("policy", .object(policy))])))
                if (200..<300).contains(ps) { log("copied policy \(id)") } else { warn("destination refused policy \(id): \(ps) \(RESTClient.reason(pj))") }
            } catch {
                warn("policy \(id): \(error)")
            }
        }
    }

    /// Attaches the source index's lifecycle policy on the destination, unless a policy's
    /// `ism_template` already did.
    func attachPolicy(_ index: String) async throws(MigrationError) {
        guard options.copyPolicies else { return }
        let seg = RESTClient.segment(index)
        let got = try? await source.json("GET", "/_plugins/_ism/explain/\(seg)")
        guard let got, got.0 == 200, let explain = got.1,
              let id = explain[index]?["policy_id"]?.stringValue ?? explain[index]?["index.plugins.index_state_management.policy_id"]?.stringValue
        else { return }
        let cur = try? await destination.json("GET", "/_plugins/_ism/explain/\(seg)")
        if let cur, cur.0 == 200, let current = cur.1,
           current[index]?["policy_id"]?.stringValue != nil || current[index]?["index.plugins.index_state_management.policy_id"]?.stringValue != nil {
            return
        }
        let (as_, aj) = try await destination.json("POST", "/_plugins/_ism/add/\(seg)", ["policy_id": .string(id)])
        if !(200..<300).contains(as_) || aj?["failures"]?.boolValue == true {
            warn("could not attach policy \(id) to \(index) on the destination: \(as_) \(aj.map { JSONWriter.string($0) } ?? "")")
        }
    }

    // MARK: indices

    func createIndex(_ name: String, settings: JSONObject, mappings: JSONValue?) async throws(MigrationError) {
        var settings = settings
        let path = "/\(RESTClient.segment(name))"
        // A setting the destination does not know (a plugin it lacks, a Searchlight-only key) is
        // dropped with a warning and the creation retried.
        for _ in 0..<20 {
            var body = JSONObject([("settings", .object(settings))])
            if let mappings, case .object(let m) = mappings, !m.isEmpty { body["mappings"] = mappings }
            let (status, json) = try await destination.json("PUT", path, .object(body))
            if (200..<300).contains(status) { log("created index \(name)"); return }
            let type = json?["error"]?["type"]?.stringValue ?? ""
            if type == "resource_already_exists_exception" {
                warn("index \(name) already exists on the destination; copying into it")
                return
            }
            let reason = RESTClient.reason(json)
            if status == 400, let key = SettingsFilter.refusedSetting(in: reason), settings[key] != nil {
                warn("destination refused setting \(key) of \(name) (\(reason)); creating it without")
                settings[key] = nil
                continue
            }
            throw .failed("creating index \(name) on the destination: \(status) \(reason)")
        }
        throw .failed("creating index \(name): too many refused settings")
    }

    func copyAliases(_ index: String, _ aliases: JSONValue?) async throws(MigrationError) {
        guard case .object(let o)? = aliases, !o.isEmpty else { return }
        var actions: [JSONValue] = []
        for (alias, def) in o {
            var add = JSONObject([("index", .string(index)), ("alias", .string(alias))])
            if case .object(let d) = def { for (k, v) in d { add[k] = v } }
            actions.append(.object(JSONObject([("add", .object(add))])))
        }
        _ = try await destination.expect("POST", "/_aliases", .object(JSONObject([("actions", .array(actions))])), "aliases of \(index)")
    }

    // MARK: documents

    /// Copies the documents of `index` after its checkpoint; returns (acknowledged, failed).
    func copyDocuments(_ index: String, total: Int) async throws(MigrationError) -> (Int, Int) {
        let seg = RESTClient.segment(index)
        var pit: String? = nil
        let (ps, pj) = try await source.json("POST", "/\(seg)/_search/point_in_time?keep_alive=10m")
        if ps == 200, let id = pj?["pit_id"]?.stringValue { pit = id } else {
            log("source has no point in time for \(index) (\(ps)); paging plain searches")
        }
        var state = checkpoint.indices[index] ?? MigrationCheckpoint.IndexState()
        var after: [JSONValue]? = MigrationCheckpoint.searchAfter(resumingAt: state.afterSeqNo, withTiebreaker: pit != nil)?.map { .int($0) }
        var indexCopied = min(state.copied, total)
        var copied = 0
        var failed = 0
        var body: [UInt8] = []
        var inBody = 0
        var lastSeq: Int64? = nil

        func flush() async throws(MigrationError) {
            guard inBody > 0 else { return }
            let (ok, bad) = try await bulk(body, count: inBody, index: index)
            copied += ok
            failed += bad
            indexCopied = min(total, indexCopied + ok + bad)
            copiedTotal = min(grandTotal, copiedTotal + ok + bad)
            state.copied += ok
            state.afterSeqNo = lastSeq
            checkpoint.indices[index] = state
            try save()
            body.removeAll(keepingCapacity: true)
            inBody = 0
            batches += 1
            progress(Progress(index: index, indexCopied: indexCopied, indexTotal: total, copied: copiedTotal, total: grandTotal))
            if let max = options.maxBatches, batches >= max { throw .stopped(batches: batches) }
        }

        func closePIT() async {
            if let pit { _ = try? await source.json("DELETE", "/_search/point_in_time", ["pit_id": .string(pit)]) }
        }
        func pages() async throws(MigrationError) {
            while true {
                var req = JSONObject([("size", .number(options.pageSize)), ("_source", true), ("track_total_hits", false)])
                if let pit {
                    req["sort"] = [["_seq_no": "asc"], ["_shard_doc": "asc"]]
                    req["pit"] = ["id": .string(pit), "keep_alive": "10m"]
                } else {
                    req["sort"] = [["_seq_no": "asc"]]
                }
                if let after { req["search_after"] = .array(after) }
                let page = try await source.expect("POST", pit == nil ? "/\(seg)/_search" : "/_search", .object(req), "reading documents of \(index)")
                if let id = page["pit_id"]?.stringValue { pit = id }
                let hits = page["hits"]?["hits"]?.arrayValue ?? []
                if hits.isEmpty { break }
                for hit in hits {
                    guard let id = hit["_id"]?.stringValue, let src = hit["_source"] else { continue }
                    var meta = JSONObject([("_index", .string(index)), ("_id", .string(id))])
                    if let r = hit["_routing"]?.stringValue { meta["routing"] = .string(r) }
                    var w = JSONWriter(capacity: 512)
                    w.write(.object(JSONObject([("index", .object(meta))])))
                    w.writeRaw([0x0A])
                    w.write(src)
                    w.writeRaw([0x0A])
                    body += w.bytes
                    inBody += 1
                    if let sort = hit["sort"]?.arrayValue {
                        after = sort
                        lastSeq = sort.first?.int64Value
                    }
                    if body.count >= options.batchBytes { try await flush() }
                }
                try await flush()
                if hits.count < options.pageSize { break }
            }
        }
        progress(Progress(index: index, indexCopied: indexCopied, indexTotal: total, copied: copiedTotal, total: grandTotal))
        do throws(MigrationError) { try await pages() } catch {
            await closePIT()
            throw error
        }
        await closePIT()
        return (copied, failed)
    }

    /// Sends one `_bulk`; items refused with 429 are sent again (with backoff), other refusals
    /// are counted and the first few reported.
    func bulk(_ body: [UInt8], count: Int, index: String) async throws(MigrationError) -> (Int, Int) {
        var pending = body
        var attempts = 0
        var failed = 0
        var acknowledged = 0
        while true {
            let (status, bytes) = try await destination.send("POST", "/_bulk", body: pending, contentType: "application/x-ndjson")
            guard status == 200, let json = try? JSONParser.parse(bytes) else {
                throw .failed("_bulk into \(index) answered \(status): \(String(decoding: bytes.prefix(300), as: UTF8.self))")
            }
            let items = json["items"]?.arrayValue ?? []
            if json["errors"]?.boolValue != true { return (acknowledged + items.count, failed) }
            // Lines of `pending` pair up with items: action line then source line.
            let lines = pending.split(separator: 0x0A, omittingEmptySubsequences: true)
            var retry: [UInt8] = []
            for (i, item) in items.enumerated() {
                let result = item["index"] ?? item.objectValue?.values.first ?? .null
                let s = Int(result["status"]?.int64Value ?? 0)
                if (200..<300).contains(s) { acknowledged += 1; continue }
                if s == 429 && attempts < 8 && 2 * i + 1 < lines.count {
                    retry += lines[2 * i]; retry.append(0x0A); retry += lines[2 * i + 1]; retry.append(0x0A)
                    continue
                }
                failed += 1
                if failed <= 5 {
                    warn("document \(result["_id"]?.stringValue ?? "?") of \(index) refused: \(s) \(RESTClient.reason(result))")
                }
            }
            if retry.isEmpty { return (acknowledged, failed) }
            attempts += 1
            pending = retry
            try? await Task.sleep(for: .milliseconds(250 << min(attempts, 5)))
        }
    }
}
