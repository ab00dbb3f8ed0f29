import Index
import JSON
import Query
import Storage

/// One action of `POST /_aliases`.
public enum AliasAction: Sendable {
    case add(indices: [String], aliases: [String], alias: AliasMetadata, mustExist: Bool?)
    case remove(indices: [String], aliases: [String], mustExist: Bool?)
    case removeIndex(indices: [String])
}

extension Node {
    /// The aliases currently defined, for readers.
    public var clusterMetadata: ClusterMetadata { metadata.withLock { $0 } }

    public func aliases(of index: String) -> [String: AliasMetadata] { metadata.withLock { $0.aliases[index] ?? [:] } }

    public func isAlias(_ name: String) -> Bool { metadata.withLock { md in md.aliases.values.contains { $0[name] != nil } } }

    /// Loads the persisted aliases, keyed by index uuid, once the indices are open.
    func loadAliases() throws(StorageError) {
        let byUUID = Dictionary(allIndices.map { ($0.uuid, $0.name) }, uniquingKeysWith: { a, _ in a })
        var result: [String: [String: AliasMetadata]] = [:]
        for (uuid, body) in try catalog.metadata(kind: "aliases") {
            guard let name = byUUID[uuid], case .object(let o)? = try? JSONParser.parse(body) else { continue }
            var m: [String: AliasMetadata] = [:]
            for (alias, v) in o { if let ao = v.objectValue, let a = try? AliasMetadata.parse(ao) { m[alias] = a } }
            if !m.isEmpty { result[name] = m }
        }
        metadata.withLock { $0.aliases = result }
    }

    /// `POST /_aliases`: applies every action or none. Index removals happen last, after the alias
    /// changes are persisted.
    public func updateAliases(_ actions: [AliasAction]) throws(OpenSearchError) {
        var removeIndices: [IndexService] = []
        for case .removeIndex(let exprs) in actions {
            for e in exprs {
                for svc in try resolve(e, options: IndicesOptions(ignoreUnavailable: false, allowNoIndices: false), includeAliases: false) {
                    removeIndices.append(svc)
                }
            }
        }
        let removedNames = Set(removeIndices.map(\.name))
        let catalog = self.catalog
        let indexNames = Set(allIndices.map(\.name))
        // Resolve the index side of every add/remove before taking the metadata lock.
        var targets: [[String]] = []
        for a in actions {
            switch a {
            case .add(let exprs, _, _, _), .remove(let exprs, _, _):
                var names: [String] = []
                for e in exprs {
                    names += try resolve(e, options: IndicesOptions(ignoreUnavailable: false, allowNoIndices: false)).map(\.name)
                }
                targets.append(names)
            case .removeIndex: targets.append([])
            }
        }
        let r: Result<Void, OpenSearchError> = metadata.withLock { md in
            var next = md.aliases
            var touched = Set<String>()
            for (n, a) in actions.enumerated() {
                switch a {
                case .add(_, let names, let alias, _):
                    for aliasName in names {
                        if indexNames.contains(aliasName) && !removedNames.contains(aliasName) {
                            return .failure(OpenSearchError("invalid_alias_name_exception", "Invalid alias name [\(aliasName)]: an index or data stream exists with the same name as the alias", status: 400,
                                                            metadata: JSONObject([("index", .string(aliasName))])))
                        }
                        if let problem = Node.aliasNameProblem(aliasName) {
                            return .failure(OpenSearchError("invalid_alias_name_exception", "Invalid alias name [\(aliasName)]: \(problem)", status: 400))
                        }
                        for index in targets[n] {
                            next[index, default: [:]][aliasName] = alias
                            touched.insert(index)
                        }
                    }
                case .remove(_, let patterns, let mustExist):
                    var matched = Set<String>()
                    for index in targets[n] {
                        guard var current = next[index] else { continue }
                        for name in current.keys {
                            guard let p = patterns.first(where: { $0 == "_all" || $0 == name || ($0.contains("*") && Wildcard.matches($0, name)) }) else { continue }
                            current[name] = nil
                            matched.insert(p)
                            touched.insert(index)
                        }
                        next[index] = current.isEmpty ? nil : current
                    }
                    let missing = mustExist == true ? patterns.filter { !matched.contains($0) } : (matched.isEmpty && mustExist == nil ? patterns : [])
                    if !missing.isEmpty {
                        return .failure(OpenSearchError("aliases_not_found_exception", "aliases [\(missing.joined(separator: ","))] missing", status: 404,
                                                        metadata: JSONObject([("resource.type", "aliases"), ("resource.id", .string(missing.joined(separator: ",")))])))
                    }
                case .removeIndex:
                    break
                }
            }
            for i in removedNames { if next.removeValue(forKey: i) != nil { touched.remove(i) } }
            if let problem = Node.writeIndexProblem(next) { return .failure(problem) }
            var changes: [(kind: String, name: String, body: String?)] = []
            for index in touched.sorted() {
                guard let svc = self.index(named: index) else { continue }
                changes.append(("aliases", svc.uuid, next[index].map(ClusterMetadata.aliasesJSON)))
            }
            do { try catalog.updateMetadata(changes) } catch {
                return .failure(OpenSearchError("exception", "failed to persist aliases: \(error)", status: 500))
            }
            md.aliases = next
            return .success(())
        }
        try r.get()
        for svc in removeIndices { _ = try deleteIndices(svc.name) }
    }

    /// Adds aliases to a newly created index (from the request and its templates).
    func addAliases(_ aliases: [String: AliasMetadata], to svc: IndexService) throws(OpenSearchError) {
        guard !aliases.isEmpty else { return }
        let catalog = self.catalog
        let r: Result<Void, OpenSearchError> = metadata.withLock { md in
            var next = md.aliases
            next[svc.name, default: [:]].merge(aliases) { _, new in new }
            if let problem = Node.writeIndexProblem(next) { return .failure(problem) }
            do { try catalog.updateMetadata([("aliases", svc.uuid, ClusterMetadata.aliasesJSON(next[svc.name]!))]) } catch {
                return .failure(OpenSearchError("exception", "failed to persist aliases: \(error)", status: 500))
            }
            md.aliases = next
            return .success(())
        }
        try r.get()
    }

    static func aliasNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.hasPrefix("_") || name.hasPrefix("-") || name.hasPrefix("+") { return "must not start with '_', '-', or '+'" }
        if name.contains("*") || name.contains(",") || name.contains("#") || name.contains(" ") { return "must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]" }
        if name != name.lowercased() { return "must be lowercase" }
        return nil
    }

    /// An alias may name at most one write index.
    static func writeIndexProblem(_ aliases: [String: [String: AliasMetadata]]) -> OpenSearchError? {
        var writers: [String: [String]] = [:]
        for (index, m) in aliases { for (alias, a) in m where a.isWriteIndex == true { writers[alias, default: []].append(index) } }
        for (alias, indices) in writers where indices.count > 1 {
            return OpenSearchError("illegal_state_exception", "alias [\(alias)] has more than one write index [\(indices.sorted().joined(separator: ","))]", status: 500)
        }
        return nil
    }

    /// The index a write to `alias` goes to: its only index, or its write index.
    func writeIndex(ofAlias alias: String) throws(OpenSearchError) -> IndexService? {
        let members = metadata.withLock { $0.indices(withAlias: alias) }
        guard !members.isEmpty else { return nil }
        let chosen: String?
        if let w = members.first(where: { $0.alias.isWriteIndex == true }) { chosen = w.index }
        else if members.count == 1 && members[0].alias.isWriteIndex != false { chosen = members[0].index }
        else { chosen = nil }
        guard let chosen, let svc = index(named: chosen) else {
            throw OpenSearchError.illegalArgument("no write index is defined for alias [\(alias)]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index")
        }
        return svc
    }
}

extension Node {
    /// The `index_routing` of the alias a write names (on the index it resolves to), if any.
    public func aliasIndexRouting(_ name: String, index: String) -> String? {
        guard self.index(named: name) == nil else { return nil }
        return metadata.withLock { $0.aliases[index]?[name]?.indexRouting }
    }
}

extension WriteOperation {
    /// The operation with an alias's `index_routing` applied, as OpenSearch does for writes
    /// through an alias: a different explicit routing is refused.
    public func routed(byAlias alias: String, _ routing: String) throws(OpenSearchError) -> WriteOperation {
        func apply(_ c: WriteParameters) throws(OpenSearchError) -> WriteParameters {
            if let r = c.routing, r != routing {
                throw OpenSearchError.illegalArgument("Alias [\(alias)] has index routing associated with it [\(routing)], and was provided with routing value [\(r)], rejecting operation")
            }
            var c = c
            c.routing = routing
            return c
        }
        switch self {
        case .index(let id, let source, let raw, let create, let c): return .index(id: id, source: source, raw: raw, create: create, conditions: try apply(c))
        case .delete(let id, let c): return .delete(id: id, conditions: try apply(c))
        case .update(let id, var u): u.conditions = try apply(u.conditions); return .update(id: id, request: u)
        }
    }
}
