import Foundation
import Index
import JSON
import Synchronization

/// Open points in time (`POST /{index}/_search/point_in_time`): each pins the snapshots of its
/// indices, so searches with `pit` (and `search_after` on the `_shard_doc` tiebreaker) page
/// through one unchanging view while writes go on. Expire after their keep-alive, renewed by
/// every search that names a `keep_alive`; bounded like OpenSearch's
/// `search.max_open_pit_context`.
public final class PointsInTime: Sendable {
    struct Context: Sendable {
        var snapshots: [IndexSnapshot]
        var created: Int64
        var expires: Int64
        /// The user that opened it (security on); only that user may search or close it.
        var owner: String? = nil
    }

    private let contexts = Mutex<[String: Context]>([:])
    public let maxOpen: Int

    public init(maxOpen: Int = 300) { self.maxOpen = maxOpen }

    /// Opens a PIT over `snapshots`; its id and creation time.
    public func open(_ snapshots: [IndexSnapshot], keepAlive: Int64, owner: String? = nil) throws(OpenSearchError) -> (id: String, created: Int64) {
        let now = SearchExecutor.nowMillis()
        purge(now)
        let id = ScrollContexts.newID()
        let ok = contexts.withLock { c -> Bool in
            guard c.count < maxOpen else { return false }
            c[id] = Context(snapshots: snapshots, created: now, expires: now + keepAlive, owner: owner)
            return true
        }
        guard ok else {
            throw OpenSearchError("rejected_execution_exception", "Trying to create too many Point In Time contexts. Must be less than or equal to: [\(maxOpen)]. This limit can be set by changing the [search.max_open_pit_context] setting.", status: 429)
        }
        return (id, now)
    }

    /// The snapshots of PIT `id`, renewing it when `keepAlive` is given.
    public func snapshots(_ id: String, keepAlive: Int64?, owner: String? = nil) throws(OpenSearchError) -> [IndexSnapshot] {
        let now = SearchExecutor.nowMillis()
        purge(now)
        let opened = contexts.withLock { $0[id]?.owner }
        try ScrollContexts.checkOwner(opened, owner)
        let snaps = contexts.withLock { c -> [IndexSnapshot]? in
            guard var ctx = c[id] else { return nil }
            if let k = keepAlive { ctx.expires = now + k; c[id] = ctx }
            return ctx.snapshots
        }
        guard let snaps else { throw OpenSearchError("search_context_missing_exception", "No search context found for id [\(id)]", status: 404) }
        return snaps
    }

    /// Closes the given PITs; for each, whether it existed.
    public func close(_ ids: [String], owner: String? = nil) throws(OpenSearchError) -> [(String, Bool)] {
        for id in ids { try ScrollContexts.checkOwner(contexts.withLock { $0[id]?.owner }, owner) }
        return contexts.withLock { c in ids.map { ($0, c.removeValue(forKey: $0) != nil) } }
    }

    /// Closes every PIT; their ids.
    public func closeAll() -> [String] {
        contexts.withLock { c in
            let ids = Array(c.keys)
            c.removeAll()
            return ids
        }
    }

    /// Every open PIT: id, creation time, keep-alive left.
    public func list() -> [(id: String, created: Int64, keepAlive: Int64)] {
        let now = SearchExecutor.nowMillis()
        purge(now)
        return contexts.withLock { c in c.map { ($0.key, $0.value.created, $0.value.expires - now) } }.sorted { $0.created < $1.created }
    }

    private func purge(_ now: Int64) {
        contexts.withLock { c in for (id, ctx) in c where ctx.expires < now { c.removeValue(forKey: id) } }
    }
}
