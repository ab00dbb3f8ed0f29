/// `java.util.HashMap` with string keys, keeping insertion order (documents echo back as written).
/// Small maps search keys linearly; larger ones keep a hash index.
public final class PainlessMap {
    // Unchecked exclusivity: a map belongs to one script execution on one thread.
    @exclusivity(unchecked) public private(set) var keys: [String] = []
    @exclusivity(unchecked) public private(set) var values: [Value] = []
    @exclusivity(unchecked) private var index: [String: Int]? = nil
    static let indexThreshold = 32

    public init(capacity: Int = 0) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    deinit { Value.release(&values) }

    public var count: Int { keys.count }

    public func slot(_ key: String) -> Int? {
        if let index { return index[key] }
        for i in keys.indices where keys[i] == key { return i }
        return nil
    }

    public subscript(key: String) -> Value? {
        guard let i = slot(key) else { return nil }
        return values[i]
    }

    /// `put`: returns the previous value.
    @discardableResult
    public func put(_ key: String, _ value: Value) -> Value {
        if let i = slot(key) {
            let old = values[i]
            values[i] = value
            return old
        }
        appendNew(key, value)
        return .null
    }

    /// Appends a key known to be absent.
    func appendNew(_ key: String, _ value: Value) {
        keys.append(key)
        values.append(value)
        if index != nil {
            index![key] = keys.count - 1
        } else if keys.count > PainlessMap.indexThreshold {
            var d: [String: Int] = [:]
            d.reserveCapacity(keys.count * 2)
            for (i, k) in keys.enumerated() { d[k] = i }
            index = d
        }
    }

    @discardableResult
    public func remove(_ key: String) -> Value {
        guard let i = slot(key) else { return .null }
        let old = values[i]
        keys.remove(at: i)
        values.remove(at: i)
        if index != nil {
            var d: [String: Int] = [:]
            for (j, k) in keys.enumerated() { d[k] = j }
            index = d
        }
        return old
    }

    func clearForRelease() {
        keys = []
        values = []
        index = nil
    }

    func removeAll() {
        keys.removeAll()
        values.removeAll()
        index = nil
    }
}
