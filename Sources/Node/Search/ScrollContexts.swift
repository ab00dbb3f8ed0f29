import Foundation
import Index
import JSON
import Synchronization

/// Where a scroll's next page starts: the last hit's sort keys and its place (target, segment,
/// doc), which break ties exactly, so no hit is skipped or repeated.
struct ScrollCursor: Sendable {
    let keys: [SortValue]
    let index: Int
    let segment: Int
    let doc: Int32
}

/// Open scroll contexts. A context pins the index snapshots its search started on (immutable
/// segment lists: later writes, refreshes and merges don't change what it pages through), the
/// parsed request, `now` for date math, and the cursor after the last page. Contexts expire
/// after their keep-alive (renewed by each page) and are bounded in number, like OpenSearch's
/// `search.max_open_scroll_context`.
public final class ScrollContexts: Sendable {
    struct Context: Sendable {
        var snapshots: [IndexSnapshot]
        var request: SearchRequest
        var now: Int64
        var cursor: ScrollCursor?
        var expires: Int64
        var exhausted = false
        /// The user that opened it (security on); only that user may page or clear it.
        var owner: String? = nil
    }

    private let contexts = Mutex<[String: Context]>([:])
    public let maxOpen: Int
    /// `search.max_keep_alive`: 24 hours.
    public static let maxKeepAliveMillis: Int64 = 86_400_000

    public init(maxOpen: Int = 500) { self.maxOpen = maxOpen }

    public var openCount: Int { contexts.withLock { $0.count } }

    /// Parses a keep-alive (`1m`, `30s`) and checks it against `search.max_keep_alive`.
    public static func keepAlive(_ text: String) throws(OpenSearchError) -> Int64 {
        guard let ms = TimeValue.parseMillis(text), ms >= 0 else {
            throw OpenSearchError.illegalArgument("failed to parse setting [scroll] with value [\(text)] as a time value: unit is missing or unrecognized")
        }
        if ms > maxKeepAliveMillis {
            throw OpenSearchError.illegalArgument("Keep alive for request (\(text)) is too large. It must be less than (1d). This limit can be set by changing the [search.max_keep_alive] cluster level setting.")
        }
        return ms
    }

    /// Runs the first page of a scrolling search and opens its context.
    public func start(_ snapshots: [IndexSnapshot], _ r: SearchRequest, keepAlive: Int64, preFilterShardSize: Int? = nil,
                      owner: String? = nil)
        async throws(OpenSearchError) -> JSONValue
    {
        if r.size == 0 { throw OpenSearchError.illegalArgument("[size] cannot be [0] in a scroll context") }
        let now = SearchExecutor.nowMillis()
        purge(now)
        if openCount >= maxOpen {
            throw OpenSearchError("rejected_execution_exception", "Trying to create too many scroll contexts. Must be less than or equal to: [\(maxOpen)]. This limit can be set by changing the [search.max_open_scroll_context] setting.", status: 429)
        }
        let (response, last, kept) = try await SearchExecutor.page(snapshots, r, preFilterShardSize: preFilterShardSize, now: now)
        let id = ScrollContexts.newID()
        var next = r
        next.from = 0
        next.scrollCursor = last
        let ctx = Context(snapshots: kept, request: next, now: now, cursor: last, expires: now + keepAlive, exhausted: last == nil, owner: owner)
        contexts.withLock { $0[id] = ctx }
        return ScrollContexts.withID(response, id)
    }

    /// The next page of scroll `id`; `keepAlive` renews the context.
    public func next(_ id: String, keepAlive: Int64?, owner: String? = nil) async throws(OpenSearchError) -> JSONValue {
        let now = SearchExecutor.nowMillis()
        purge(now)
        guard var ctx = contexts.withLock({ $0[id] }) else { throw ScrollContexts.missing(id) }
        try ScrollContexts.checkOwner(ctx.owner, owner)
        if ctx.exhausted {
            // Past the end: an empty page with the same total, as OpenSearch answers.
            var r = ctx.request
            r.size = 0
            r.aggregations = nil
            let (response, _, _) = try await SearchExecutor.page(ctx.snapshots, r, now: ctx.now, canMatch: false)
            renew(id, keepAlive, now)
            return ScrollContexts.withID(response, id)
        }
        var r = ctx.request
        r.aggregations = nil  // aggregations belong to the first page only
        r.scrollCursor = ctx.cursor
        let (response, last, _) = try await SearchExecutor.page(ctx.snapshots, r, now: ctx.now, canMatch: false)
        ctx.cursor = last ?? ctx.cursor
        ctx.exhausted = last == nil
        ctx.request = r
        if let k = keepAlive { ctx.expires = now + k }
        let updated = ctx
        contexts.withLock { if $0[id] != nil { $0[id] = updated } }
        return ScrollContexts.withID(response, id)
    }

    /// Frees the given contexts; how many existed. With `owner`, another user's context is refused.
    public func clear(_ ids: [String], owner: String? = nil) throws(OpenSearchError) -> Int {
        let foreign = contexts.withLock { c in ids.contains { id in c[id].map { $0.owner != nil && $0.owner != owner && owner != nil } ?? false } }
        if foreign { throw ScrollContexts.wrongUser() }
        return contexts.withLock { c in ids.reduce(0) { $0 + (c.removeValue(forKey: $1) != nil ? 1 : 0) } }
    }

    /// Refuses a context opened by another user (security on: both known and different).
    static func checkOwner(_ opened: String?, _ user: String?) throws(OpenSearchError) {
        if let opened, let user, opened != user { throw wrongUser() }
    }

    static func wrongUser() -> OpenSearchError {
        OpenSearchError("security_exception", "Wrong user in reader context", status: 403)
    }

    /// Frees every context; how many there were.
    public func clearAll() -> Int {
        contexts.withLock { c in
            let n = c.count
            c.removeAll()
            return n
        }
    }

    private func renew(_ id: String, _ keepAlive: Int64?, _ now: Int64) {
        guard let k = keepAlive else { return }
        contexts.withLock { $0[id]?.expires = now + k }
    }

    private func purge(_ now: Int64) {
        contexts.withLock { c in
            for (id, ctx) in c where ctx.expires < now { c.removeValue(forKey: id) }
        }
    }

    static func missing(_ id: String) -> OpenSearchError {
        OpenSearchError("search_context_missing_exception", "No search context found for id [\(id)]", status: 404)
    }

    static func newID() -> String {
        var bytes = [UInt8](repeating: 0, count: 24)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return "FGluY2x1ZGVfY29udGV4dF91dWlk" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func withID(_ response: JSONValue, _ id: String) -> JSONValue {
        guard case .object(let o) = response else { return response }
        var out = JSONObject([("_scroll_id", .string(id))])
        for (k, v) in o { out[k] = v }
        return .object(out)
    }
}
