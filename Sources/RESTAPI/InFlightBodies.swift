import Synchronization

/// Request-body bytes held by every request in flight, across all connections: the counterpart
/// of OpenSearch's in-flight requests circuit breaker. Each request reserves its body as it is
/// read and releases it once answered, so many large bodies at once get 429
/// `circuit_breaking_exception` instead of growing the process without bound
/// (`http.max_content_length` alone bounds one request, not two hundred).
public final class InFlightBodies: Sendable {
    public let limit: Int
    let used = Atomic<Int>(0)

    public init(limit: Int) { self.limit = limit }

    /// Reserves `n` more bytes; false (and nothing reserved) when that would pass the limit.
    func reserve(_ n: Int) -> Bool {
        let now = used.add(n, ordering: .relaxed).newValue
        if now > limit {
            used.subtract(n, ordering: .relaxed)
            return false
        }
        return true
    }

    func release(_ n: Int) {
        if n > 0 { used.subtract(n, ordering: .relaxed) }
    }

    public var bytesInUse: Int { used.load(ordering: .relaxed) }
}
