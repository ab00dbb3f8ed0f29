import Foundation
import Synchronization

/// A clock that only moves when told to: `serve --test-clock` uses it so that client tests can
/// drive index lifecycles (`POST /_plugins/_ism/_tick?now=…`) without waiting days.
public final class ManualClock: Sendable {
    let value: Mutex<Int64>

    public init(_ start: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) { value = Mutex(start) }

    public var now: Int64 { value.withLock { $0 } }

    public func set(_ millis: Int64) { value.withLock { $0 = millis } }
}
