/// In-flight requests per client address, so one client cannot take every worker: beyond
/// `limit` concurrent requests it gets 429 `rejected_execution_exception` instead of queueing.
public actor ClientLimiter {
    public nonisolated let limit: Int
    private var inFlight: [String: Int] = [:]

    public init(limit: Int) { self.limit = limit }

    /// Takes a slot for `client`; false when it already has `limit` requests running.
    public func acquire(_ client: String) -> Bool {
        let n = inFlight[client, default: 0]
        guard limit <= 0 || n < limit else { return false }
        inFlight[client] = n + 1
        return true
    }

    public func release(_ client: String) {
        guard let n = inFlight[client] else { return }
        inFlight[client] = n > 1 ? n - 1 : nil
    }

    public func count(_ client: String) -> Int { inFlight[client, default: 0] }
}
