import Synchronization

/// Compiled scripts keyed by language and source, so a script sent with every bulk item is
/// compiled once. Bounded like OpenSearch's `script.cache.max_size` (100): the oldest entry goes.
public final class ScriptCache: Sendable {
    struct State {
        var scripts: [String: PainlessScript] = [:]
        var order: [String] = []
        var compilations = 0
        var evictions = 0
    }

    let state = Mutex(State())
    public let capacity: Int

    public static let shared = ScriptCache()

    public init(capacity: Int = 100) { self.capacity = capacity }

    /// The compiled script for `source`, compiling it on first use. Compile errors are not cached.
    public func script(_ source: String) throws(PainlessError) -> PainlessScript {
        if let s = state.withLock({ $0.scripts[source] }) { return s }
        let compiled = try PainlessScript(source)
        state.withLock { s in
            if s.scripts[source] != nil { return }
            s.compilations += 1
            if s.order.count >= capacity {
                s.scripts[s.order.removeFirst()] = nil
                s.evictions += 1
            }
            s.scripts[source] = compiled
            s.order.append(source)
        }
        return compiled
    }

    public var count: Int { state.withLock { $0.scripts.count } }
    public var compilations: Int { state.withLock { $0.compilations } }
    public var evictions: Int { state.withLock { $0.evictions } }
}
