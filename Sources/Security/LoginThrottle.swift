import Foundation

/// Failed-login rate limiting per client address, like OpenSearch's `ip_rate_limiting`: after
/// `maxFailures` failures within `window`, the address is blocked for `blockFor` — every
/// authentication from it (right password included, so guessing learns nothing) answers 429.
/// Other addresses are unaffected, so an attacker cannot lock a user out.
public actor LoginThrottle {
    public nonisolated let maxFailures: Int
    public nonisolated let window: Duration
    public nonisolated let blockFor: Duration
    private var failures: [String: [ContinuousClock.Instant]] = [:]
    private var blocked: [String: ContinuousClock.Instant] = [:]

    public init(maxFailures: Int = 10, window: Duration = .seconds(60), blockFor: Duration = .seconds(60)) {
        self.maxFailures = maxFailures
        self.window = window
        self.blockFor = blockFor
    }

    /// Seconds until `client` may try again, or nil when it may now.
    public func retryAfter(_ client: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard let until = blocked[client] else { return nil }
        if until <= now { blocked[client] = nil; failures[client] = nil; return nil }
        let left = until - now
        return max(1, Int(left.components.seconds) + (left.components.attoseconds > 0 ? 1 : 0))
    }

    /// Records a failed login; true when it blocks the client.
    @discardableResult
    public func recordFailure(_ client: String, now: ContinuousClock.Instant = .now) -> Bool {
        guard maxFailures > 0 else { return false }
        var list = (failures[client] ?? []).filter { now - $0 < window }
        list.append(now)
        if list.count >= maxFailures {
            blocked[client] = now + blockFor
            failures[client] = nil
            return true
        }
        failures[client] = list
        if failures.count > 100_000 { prune(now) }
        return false
    }

    /// A success forgets the client's earlier failures.
    public func recordSuccess(_ client: String) {
        if failures[client] != nil { failures[client] = nil }
    }

    private func prune(_ now: ContinuousClock.Instant) {
        failures = failures.filter { $0.value.contains { now - $0 < window } }
        blocked = blocked.filter { $0.value > now }
    }
}
