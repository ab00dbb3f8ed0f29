import Foundation
import Index
import JSON

/// `POST /{alias}/_rollover` conditions: any one met rolls the alias over.
public struct RolloverConditions: Sendable, Equatable {
    public var maxAgeMillis: (text: String, millis: Int64)?
    public var maxDocs: Int64?
    public var maxSize: (text: String, bytes: Int64)?
    public var maxPrimaryShardSize: (text: String, bytes: Int64)?

    public init() {}

    public var isEmpty: Bool { maxAgeMillis == nil && maxDocs == nil && maxSize == nil && maxPrimaryShardSize == nil }

    public static func == (a: RolloverConditions, b: RolloverConditions) -> Bool {
        a.maxAgeMillis?.millis == b.maxAgeMillis?.millis && a.maxDocs == b.maxDocs && a.maxSize?.bytes == b.maxSize?.bytes
            && a.maxPrimaryShardSize?.bytes == b.maxPrimaryShardSize?.bytes
    }

    public static func parse(_ json: JSONValue?) throws(OpenSearchError) -> RolloverConditions {
        var c = RolloverConditions()
        guard let json else { return c }
        guard case .object(let o) = json else { throw OpenSearchError.parsing("[conditions] must be an object") }
        for (k, v) in o {
            let text = v.stringValue ?? v.int64Value.map(String.init) ?? ""
            switch k {
            case "max_age":
                guard let ms = TimeValue.parseMillis(text) else {
                    throw OpenSearchError.parsing("failed to parse setting [max_age] with value [\(text)] as a time value: unit is missing or unrecognized")
                }
                c.maxAgeMillis = (text, ms)
            case "max_docs":
                guard let n = v.int64Value ?? Int64(text) else { throw OpenSearchError.parsing("[max_docs] must be a number") }
                c.maxDocs = n
            case "max_size", "max_primary_shard_size":
                guard let b = ByteSize.parse(text) else {
                    throw OpenSearchError.parsing("failed to parse setting [\(k)] with value [\(text)] as a size in bytes: unit is missing or unrecognized")
                }
                if k == "max_size" { c.maxSize = (text, b) } else { c.maxPrimaryShardSize = (text, b) }
            default:
                throw OpenSearchError.parsing("[conditions] unknown field [\(k)]")
            }
        }
        return c
    }

    /// Each condition as OpenSearch names it (`[max_docs: 1]`) with whether the index meets it.
    public func evaluate(ageMillis: Int64, docs: Int64, sizeBytes: Int64, primaryShardBytes: Int64) -> [(String, Bool)] {
        var out: [(String, Bool)] = []
        if let a = maxAgeMillis { out.append(("[max_age: \(a.text)]", ageMillis >= a.millis)) }
        if let d = maxDocs { out.append(("[max_docs: \(d)]", docs >= d)) }
        if let s = maxSize { out.append(("[max_size: \(s.text)]", sizeBytes >= s.bytes)) }
        if let s = maxPrimaryShardSize { out.append(("[max_primary_shard_size: \(s.text)]", primaryShardBytes >= s.bytes)) }
        return out
    }
}

/// OpenSearch byte sizes (`10b`, `5kb`, `1.5gb`).
public enum ByteSize {
    public static func parse(_ s: String) -> Int64? {
        let lower = s.lowercased().trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("pb", 1_125_899_906_842_624), ("tb", 1_099_511_627_776), ("gb", 1_073_741_824), ("mb", 1_048_576),
                                         ("kb", 1024), ("p", 1_125_899_906_842_624), ("t", 1_099_511_627_776), ("g", 1_073_741_824),
                                         ("m", 1_048_576), ("k", 1024), ("b", 1)]
        for (u, mult) in units where lower.hasSuffix(u) {
            if let d = Double(lower.dropLast(u.count)) { return Int64(d * mult) }
        }
        if lower == "0" || lower == "-1" { return Int64(lower) }
        return nil
    }
}

extension Node {
    /// `^.*-\d+$` names roll over to the next number, zero-padded to six digits.
    public static func nextRolloverName(_ old: String) throws(OpenSearchError) -> String {
        guard let dash = old.lastIndex(of: "-"), case let digits = old[old.index(after: dash)...], !digits.isEmpty,
              digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let n = Int(digits) else {
            throw OpenSearchError.illegalArgument("index name [\(old)] does not match pattern '^.*-\\d+$'")
        }
        let next = String(n + 1)
        return old[...dash] + String(repeating: "0", count: max(0, 6 - next.count)) + next
    }

    /// `POST /{alias}/_rollover[/{new_index}]`: checks the conditions against the alias's write
    /// index, then creates the new index and moves the alias's writes to it.
    public func rollover(alias: String, newIndex: String?, conditions: RolloverConditions, createBody: JSONValue?, dryRun: Bool) throws(OpenSearchError) -> JSONValue {
        if index(named: alias) != nil {
            throw OpenSearchError.illegalArgument("rollover target is a [concrete index] but one of [alias] was expected")
        }
        let members = clusterMetadata.indices(withAlias: alias)
        if members.isEmpty { throw OpenSearchError.illegalArgument("rollover target [\(alias)] does not exist") }
        let writer: (index: String, alias: AliasMetadata)
        if let w = members.first(where: { $0.alias.isWriteIndex == true }) { writer = w }
        else if members.count == 1 && members[0].alias.isWriteIndex != false { writer = members[0] }
        else {
            throw OpenSearchError.illegalArgument("rollover target [\(alias)] does not point to a write index")
        }
        guard let old = index(named: writer.index) else { throw OpenSearchError.indexNotFound(writer.index) }
        let target: String
        if let newIndex { target = newIndex } else { target = try Node.nextRolloverName(old.name) }
        try IndexName.validate(target)
        if let existing = index(named: target) {
            throw OpenSearchError("resource_already_exists_exception", "index [\(target)/\(existing.uuid)] already exists", status: 400,
                                  metadata: JSONObject([("index_uuid", .string(existing.uuid)), ("index", .string(target))]))
        }
        let size = Int64(old.storeSizeBytes)
        let results = conditions.evaluate(ageMillis: clock() - old.createdMillis, docs: Int64(old.docCount), sizeBytes: size,
                                          primaryShardBytes: size / Int64(max(1, old.numberOfShards)))
        let met = conditions.isEmpty || results.contains { $0.1 }
        var rolled = false
        if met && !dryRun {
            let svc = try createIndex(target, body: createBody)
            // Move the alias: with an explicit write index both keep it and only the flag moves.
            var actions: [AliasAction] = []
            var newAlias = writer.alias
            if writer.alias.isWriteIndex == true {
                var oldAlias = writer.alias
                oldAlias.isWriteIndex = false
                actions.append(.add(indices: [old.name], aliases: [alias], alias: oldAlias, mustExist: nil))
                newAlias.isWriteIndex = true
            } else {
                actions.append(.remove(indices: [old.name], aliases: [alias], mustExist: nil))
                newAlias.isWriteIndex = nil
            }
            actions.append(.add(indices: [svc.name], aliases: [alias], alias: newAlias, mustExist: nil))
            try updateAliases(actions)
            rolled = true
        }
        return .object(JSONObject([
            ("acknowledged", .bool(rolled)), ("shards_acknowledged", .bool(rolled)),
            ("old_index", .string(old.name)), ("new_index", .string(target)),
            ("rolled_over", .bool(rolled)), ("dry_run", .bool(dryRun)),
            ("conditions", .object(JSONObject(results.map { ($0.0, .bool($0.1)) }))),
        ]))
    }
}
