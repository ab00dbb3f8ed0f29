import Foundation
import Index
import JSON
import Storage

/// Snapshot repositories (`type: fs` only) and the snapshots in them. A repository is a folder
/// under one of the `path.repo` roots; a snapshot is `snapshots/<name>/` in it: per index a
/// folder (named by the index uuid) of copied segment and live-docs files, and `manifest.json`,
/// written last, that describes them with their checksums.
extension Node {
    static let repositoryKind = "snapshot_repository"

    static func absolutePath(_ p: String) -> String {
        let abs = p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
        return URL(fileURLWithPath: abs).standardizedFileURL.path
    }

    // MARK: repositories

    /// `PUT /_snapshot/{repo}`: validates and persists the repository, creating its folder.
    public func putRepository(_ name: String, body: JSONValue?) throws(OpenSearchError) {
        guard let body, case .object = body else { throw OpenSearchError.parsing("request body is required") }
        guard let type = body["type"]?.stringValue else {
            throw OpenSearchError("repository_exception", "[\(name)] missing type", status: 500)
        }
        guard type == "fs" else {
            throw OpenSearchError("repository_exception", "[\(name)] repository type [\(type)] does not exist", status: 500)
        }
        var settings = body["settings"]?.objectValue ?? JSONObject()
        if let loc = settings["location"], loc.stringValue == nil, let n = loc.int64Value { settings["location"] = .string(String(n)) }
        let path = try repositoryPath(name, settings)
        do { try FileManager.default.createDirectory(atPath: path + "/snapshots", withIntermediateDirectories: true) } catch {
            throw OpenSearchError("repository_verification_exception", "[\(name)] path [\(path)] is not accessible on the node: \(error)", status: 500)
        }
        let stored = JSONValue.object(JSONObject([("type", .string(type)), ("settings", .object(settings))]))
        do { try catalog.updateMetadata([(Node.repositoryKind, name, JSONWriter.string(stored))]) } catch {
            throw OpenSearchError("exception", "failed to persist repository [\(name)]: \(error)", status: 500)
        }
        logger.info("registered snapshot repository [\(name)] at \(path)")
    }

    /// The repository's folder: `location` resolved against `path.repo` (relative locations
    /// under its first root; absolute ones must lie under one of them, as OpenSearch requires).
    func repositoryPath(_ name: String, _ settings: JSONObject) throws(OpenSearchError) -> String {
        guard let location = settings["location"]?.stringValue, !location.isEmpty else {
            throw OpenSearchError("repository_exception", "[\(name)] missing location", status: 500)
        }
        let resolved = location.hasPrefix("/") ? Node.absolutePath(location) : Node.absolutePath(pathRepo[0] + "/" + location)
        guard pathRepo.contains(where: { resolved == $0 || resolved.hasPrefix($0 == "/" ? "/" : $0 + "/") }) else {
            throw OpenSearchError("repository_exception", "[\(name)] location [\(location)] doesn't match any of the locations specified by path.repo",
                                  status: 500)
        }
        return resolved
    }

    /// Registered repositories by name (stored bodies).
    public func repositories() throws(OpenSearchError) -> [(name: String, body: JSONValue)] {
        do {
            return try catalog.metadata(kind: Node.repositoryKind).compactMap { r in
                (try? JSONParser.parse(Array(r.body.utf8))).map { (name: r.name, body: $0) }
            }
        } catch {
            throw OpenSearchError("exception", "failed to read repositories: \(error)", status: 500)
        }
    }

    func repository(_ name: String) throws(OpenSearchError) -> (body: JSONValue, path: String) {
        guard let body = try repositories().first(where: { $0.name == name })?.body else {
            throw OpenSearchError("repository_missing_exception", "[\(name)] missing", status: 404)
        }
        return (body, try repositoryPath(name, body["settings"]?.objectValue ?? JSONObject()))
    }

    public func deleteRepository(_ name: String) throws(OpenSearchError) {
        _ = try repository(name)
        do { try catalog.updateMetadata([(Node.repositoryKind, name, nil)]) } catch {
            throw OpenSearchError("exception", "failed to delete repository [\(name)]: \(error)", status: 500)
        }
    }

    /// `POST /_snapshot/{repo}/_verify`: the folder exists and takes a file.
    public func verifyRepository(_ name: String) throws(OpenSearchError) {
        let path = try repository(name).path
        let probe = "\(path)/.verify-\(Node.randomID(8))"
        guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else {
            throw OpenSearchError("repository_verification_exception", "[\(name)] store location [\(path)] is not accessible on the node", status: 500)
        }
        try? FileManager.default.removeItem(atPath: probe)
    }

    // MARK: snapshots

    static func snapshotNameProblem(_ s: String) -> String? {
        if s.isEmpty { return "cannot be empty" }
        if s.contains("#") { return "must not contain '#'" }
        if s.hasPrefix("_") { return "must not start with '_'" }
        if s.lowercased() != s { return "must be lowercase" }
        if s.contains(where: { $0.isWhitespace }) { return "must not contain whitespace" }
        if s.contains(",") { return "must not contain ','" }
        let bad: Set<Character> = ["\\", "/", "*", "?", "\"", "<", ">", "|"]
        if s.contains(where: { bad.contains($0) }) { return "must not contain the following characters [\\, /, *, ?, \", <, >, |]" }
        return nil
    }

    /// The errors a snapshot request gets at once, before it runs in the background.
    public func checkNewSnapshot(repository repoName: String, snapshot: String) throws(OpenSearchError) {
        let repoPath = try repository(repoName).path
        if let problem = Node.snapshotNameProblem(snapshot) {
            throw OpenSearchError("invalid_snapshot_name_exception", "[\(repoName):\(snapshot)] Invalid snapshot name [\(snapshot)], \(problem)", status: 400)
        }
        if runningSnapshots.withLock({ $0.contains("\(repoName)/\(snapshot)") })
            || FileManager.default.fileExists(atPath: snapshotFolder(repoPath, snapshot) + "/manifest.json") {
            throw OpenSearchError("invalid_snapshot_name_exception",
                                  "[\(repoName):\(snapshot)] Invalid snapshot name [\(snapshot)], snapshot with the same name already exists", status: 400)
        }
    }

    func snapshotFolder(_ repoPath: String, _ snapshot: String) -> String { "\(repoPath)/snapshots/\(snapshot)" }

    /// Takes a snapshot: per index a committed point in time (every write acknowledged before
    /// the snapshot started is in it), copied with checksums; the manifest is written last.
    public func createSnapshot(repository repoName: String, snapshot: String, body: JSONValue?) async throws(OpenSearchError) -> SnapshotManifest {
        let repoPath = try repository(repoName).path
        if let problem = Node.snapshotNameProblem(snapshot) {
            throw OpenSearchError("invalid_snapshot_name_exception", "[\(repoName):\(snapshot)] Invalid snapshot name [\(snapshot)], \(problem)", status: 400)
        }
        let folder = snapshotFolder(repoPath, snapshot)
        let key = "\(repoName)/\(snapshot)"
        let reserved = runningSnapshots.withLock { $0.insert(key).inserted }
        guard reserved, !FileManager.default.fileExists(atPath: folder + "/manifest.json") else {
            if reserved { _ = runningSnapshots.withLock { $0.remove(key) } }
            throw OpenSearchError("invalid_snapshot_name_exception",
                                  "[\(repoName):\(snapshot)] Invalid snapshot name [\(snapshot)], snapshot with the same name already exists", status: 400)
        }
        defer { _ = runningSnapshots.withLock { $0.remove(key) } }
        // A folder without a manifest is a snapshot that never finished.
        try? FileManager.default.removeItem(atPath: folder)

        var options = IndicesOptions(ignoreUnavailable: body?["ignore_unavailable"]?.boolValue ?? false, allowNoIndices: true)
        options.expandHidden = true
        let expression: String
        switch body?["indices"] {
        case .string(let s)?: expression = s
        case .array(let a)?: expression = a.compactMap(\.stringValue).joined(separator: ",")
        default: expression = "_all"
        }
        let targets = try resolve(expression.isEmpty ? "_all" : expression, options: options, includeAliases: true)
        let start = clock()
        var manifest = SnapshotManifest(snapshot: snapshot, uuid: Node.randomID(22), state: "IN_PROGRESS", startMillis: start, endMillis: start,
                                        includeGlobalState: body?["include_global_state"]?.boolValue ?? true, indices: [], failures: [])
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw OpenSearchError("snapshot_creation_exception", "[\(repoName):\(snapshot)] cannot create [\(folder)]: \(error)", status: 500)
        }
        let aliases = clusterMetadata.aliases
        for svc in targets {
            do throws(OpenSearchError) {
                manifest.indices.append(try await snapshotIndex(svc, into: "\(folder)/\(svc.uuid)", aliases: aliases[svc.name] ?? [:]))
            } catch {
                if body?["partial"]?.boolValue != true {
                    try? FileManager.default.removeItem(atPath: folder)
                    throw OpenSearchError("snapshot_creation_exception", "[\(repoName):\(snapshot)] index [\(svc.name)]: \(error.reason)", status: 500)
                }
                manifest.failures.append((svc.name, error.reason))
            }
        }
        manifest.endMillis = clock()
        manifest.state = manifest.failures.isEmpty ? "SUCCESS" : "PARTIAL"
        do { try FileIO.writeDurably(JSONWriter.serialize(manifest.json), to: folder + "/manifest.json") } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw OpenSearchError("snapshot_creation_exception", "[\(repoName):\(snapshot)] writing the manifest failed: \(error)", status: 500)
        }
        logger.info("snapshot [\(repoName):\(snapshot)] taken: \(manifest.indices.count) indices, state \(manifest.state)")
        return manifest
    }

    func snapshotIndex(_ svc: IndexService, into dir: String, aliases: [String: AliasMetadata]) async throws(OpenSearchError) -> SnapshotManifest.IndexEntry {
        let capture = try await svc.captureCommit()
        defer { svc.releaseSnapshotPin() }
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw OpenSearchError("snapshot_exception", "cannot create [\(dir)]: \(error)", status: 500)
        }
        var files: [SnapshotManifest.FileEntry] = []
        for f in capture.files {
            let (length, sum) = try SnapshotFiles.copy(from: "\(svc.directory)/\(f)", to: "\(dir)/\(f)")
            files.append(.init(name: f, length: length, sha256: sum))
        }
        return SnapshotManifest.IndexEntry(name: svc.name, uuid: svc.uuid, mapping: capture.mapping.json, settings: capture.settings.json(flat: true),
                                           aliases: .object(JSONObject(aliases.keys.sorted().map { ($0, aliases[$0]!.json) })),
                                           commit: capture.commit, docCount: capture.docCount, files: files)
    }

    /// The finished snapshots of a repository, oldest first.
    public func snapshots(repository repoName: String) throws(OpenSearchError) -> [SnapshotManifest] {
        let repoPath = try repository(repoName).path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: repoPath + "/snapshots")) ?? []
        var out: [SnapshotManifest] = []
        for n in names {
            guard let bytes = FileManager.default.contents(atPath: snapshotFolder(repoPath, n) + "/manifest.json"),
                  let json = try? JSONParser.parse(Array(bytes)), let m = try? SnapshotManifest.parse(json) else { continue }
            out.append(m)
        }
        return out.sorted { ($0.startMillis, $0.snapshot) < ($1.startMillis, $1.snapshot) }
    }

    /// Snapshots being taken now in `repository`.
    public func runningSnapshotNames(repository: String) -> [String] {
        runningSnapshots.withLock { $0 }.compactMap { k in
            k.hasPrefix(repository + "/") ? String(k.dropFirst(repository.count + 1)) : nil
        }.sorted()
    }

    public func snapshot(repository repoName: String, _ name: String) throws(OpenSearchError) -> SnapshotManifest {
        guard let m = try snapshots(repository: repoName).first(where: { $0.snapshot == name }) else {
            throw OpenSearchError("snapshot_missing_exception", "[\(repoName):\(name)] is missing", status: 404)
        }
        return m
    }

    public func deleteSnapshot(repository repoName: String, _ name: String) throws(OpenSearchError) {
        let repoPath = try repository(repoName).path
        _ = try snapshot(repository: repoName, name)
        let folder = snapshotFolder(repoPath, name)
        // The manifest first: a half-deleted snapshot is an unfinished one, never a damaged one.
        try? FileManager.default.removeItem(atPath: folder + "/manifest.json")
        do { try FileManager.default.removeItem(atPath: folder) } catch {
            throw OpenSearchError("snapshot_exception", "[\(repoName):\(name)] deleting failed: \(error)", status: 500)
        }
        logger.info("deleted snapshot [\(repoName):\(name)]")
    }

    /// What a restore did.
    public struct RestoreResult: Sendable {
        public var indices: [String]
    }

    /// `POST /_snapshot/{repo}/{snap}/_restore`: re-creates the chosen indices (renamed when
    /// asked) from the snapshot's files after checking every checksum; nothing is created when
    /// any file is damaged or any target name is taken by an open index.
    public func restoreSnapshot(repository repoName: String, snapshot name: String, body: JSONValue?) throws(OpenSearchError) -> RestoreResult {
        let repoPath = try repository(repoName).path
        let manifest = try snapshot(repository: repoName, name)
        let folder = snapshotFolder(repoPath, name)
        var patterns: [String]
        switch body?["indices"] {
        case .string(let s)?: patterns = s.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        case .array(let a)?: patterns = a.compactMap(\.stringValue)
        default: patterns = []
        }
        if patterns.isEmpty || patterns == ["_all"] { patterns = ["*"] }
        var chosen: [SnapshotManifest.IndexEntry] = []
        for e in manifest.indices {
            var take = false
            for p in patterns {
                if p.hasPrefix("-") { if Wildcard.matches(String(p.dropFirst()), e.name) { take = false } }
                else if Wildcard.matches(p, e.name) { take = true }
            }
            if take { chosen.append(e) }
        }
        let ignoreUnavailable = body?["ignore_unavailable"]?.boolValue ?? false
        for p in patterns where !p.contains("*") && !p.hasPrefix("-") && !ignoreUnavailable {
            if !manifest.indices.contains(where: { $0.name == p }) {
                throw OpenSearchError("snapshot_restore_exception", "[\(repoName):\(name)] indices [\(p)] missing", status: 500)
            }
        }
        let renamePattern = body?["rename_pattern"]?.stringValue
        let replacement = body?["rename_replacement"]?.stringValue ?? ""
        var regex: NSRegularExpression?
        if let renamePattern {
            do { regex = try NSRegularExpression(pattern: renamePattern) } catch {
                throw OpenSearchError.illegalArgument("invalid rename_pattern [\(renamePattern)]: \(error)")
            }
        }
        let snapshotID = "\(repoName):\(name)/\(manifest.uuid)"
        var targets: [(SnapshotManifest.IndexEntry, String)] = []
        for e in chosen {
            var target = e.name
            if let regex {
                target = regex.stringByReplacingMatches(in: e.name, range: NSRange(e.name.startIndex..., in: e.name), withTemplate: replacement)
            }
            try IndexName.validate(target)
            if targets.contains(where: { $0.1 == target }) {
                throw OpenSearchError("snapshot_restore_exception", "[\(snapshotID)] indices [\(targets.first { $0.1 == target }!.0.name), \(e.name)] "
                                      + "are renamed into the same index [\(target)]", status: 500)
            }
            if index(named: target) != nil { throw Node.openIndexExists(snapshotID, target) }
            targets.append((e, target))
        }
        // Every file of every chosen index, checked before anything is created.
        for (e, _) in targets { try SnapshotFiles.verify(e, in: "\(folder)/\(e.uuid)", snapshot: "\(repoName):\(name)") }
        let includeAliases = body?["include_aliases"]?.boolValue ?? true
        var restored: [String] = []
        for (e, target) in targets {
            try restoreIndex(e, from: "\(folder)/\(e.uuid)", as: target, snapshotID: snapshotID, includeAliases: includeAliases)
            restored.append(target)
        }
        logger.info("restored snapshot [\(repoName):\(name)]: \(restored.joined(separator: ", "))")
        return RestoreResult(indices: restored)
    }

    static func openIndexExists(_ snapshotID: String, _ name: String) -> OpenSearchError {
        OpenSearchError("snapshot_restore_exception",
                        "[\(snapshotID)] cannot restore index [\(name)] because an open index with same name already exists in the cluster. "
                            + "Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name",
                        status: 500)
    }

    /// Copies one index's files (checking their checksums again as they are read) into a new
    /// index folder, records their commit point, opens it and registers it under `name`.
    func restoreIndex(_ e: SnapshotManifest.IndexEntry, from dir: String, as name: String, snapshotID: String,
                      includeAliases: Bool) throws(OpenSearchError) {
        let mapping = try Mapping.parse(e.mapping)
        var settings = IndexSettings.fromStored(JSONWriter.string(e.settings))
        let uuid = Node.randomID(22)
        settings.set("index.uuid", uuid)
        settings.set("index.provided_name", name)
        let created = settings["index.creation_date"].flatMap { Int64($0) } ?? clock()
        let destination = "\(dataPath)/indices/\(uuid)"
        do { try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true) } catch {
            throw OpenSearchError("snapshot_restore_exception", "[\(snapshotID)] cannot create [\(destination)]: \(error)", status: 500)
        }
        for f in e.files {
            let copied: (length: Int, sha256: String)
            do throws(OpenSearchError) { copied = try SnapshotFiles.copy(from: "\(dir)/\(f.name)", to: "\(destination)/\(f.name)") } catch {
                try? FileManager.default.removeItem(atPath: destination)
                throw error
            }
            if copied.sha256 != f.sha256 || copied.length != f.length {
                try? FileManager.default.removeItem(atPath: destination)
                throw OpenSearchError("snapshot_restore_exception",
                                      "[\(snapshotID)] cannot restore index [\(e.name)]: snapshot file [\(f.name)] is corrupted (sha256 \(copied.sha256), expected \(f.sha256))",
                                      status: 500)
            }
        }
        let catalog = self.catalog
        let dataPath = self.dataPath
        let bufferDocs = indexingBufferDocs
        let finalSettings = settings
        let r: Result<IndexService, OpenSearchError> = registry.withLock { reg in
            if reg[name] != nil { return .failure(Node.openIndexExists(snapshotID, name)) }
            do {
                try catalog.createIndex(.init(name: name, uuid: uuid, createdMillis: created, settings: finalSettings.stored,
                                              mappings: JSONWriter.string(mapping.json)))
                try catalog.commit(uuid: uuid, e.commit, trimTranslogThrough: 0)
            } catch {
                try? catalog.deleteIndex(uuid: uuid)
                return .failure(OpenSearchError("exception", "failed to persist restored index [\(name)]: \(error)", status: 500))
            }
            let svc = IndexService(name: name, uuid: uuid, createdMillis: created, mapping: mapping, settings: finalSettings, catalog: catalog,
                                   dataPath: dataPath, bufferDocLimit: bufferDocs)
            // Not yet visible to anyone: opening it here, under the registry lock, races nothing.
            do throws(OpenSearchError) { try svc.recover() } catch {
                try? catalog.deleteIndex(uuid: uuid)
                return .failure(error)
            }
            reg[name] = svc
            return .success(svc)
        }
        let svc: IndexService
        do throws(OpenSearchError) { svc = try r.get() } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw error
        }
        if includeAliases, let aliasObject = e.aliases.objectValue {
            var aliases: [String: AliasMetadata] = [:]
            for (alias, v) in aliasObject {
                guard case .object(let o) = v, index(named: alias) == nil, let a = try? AliasMetadata.parse(o) else { continue }
                aliases[alias] = a
            }
            // A write-index clash with a live alias keeps the index but not its aliases.
            do throws(OpenSearchError) { try addAliases(aliases, to: svc) } catch {
                logger.warning("restored index [\(name)] without its aliases: \(error.reason)")
            }
        }
        logger.info("restored index [\(name)] from snapshot [\(snapshotID)]")
    }
}
