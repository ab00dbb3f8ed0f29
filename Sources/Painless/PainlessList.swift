/// `java.util.ArrayList` (or a `HashSet` when `isSet`: `add` skips elements already present).
public final class PainlessList {
    /// Unchecked exclusivity: a list belongs to one script execution on one thread.
    @exclusivity(unchecked) public var items: [Value]
    public let isSet: Bool

    public init(_ items: [Value] = [], isSet: Bool = false) {
        self.items = items
        self.isSet = isSet
    }

    deinit { Value.release(&items) }

    func contains(_ v: Value) -> Bool {
        for e in items where Value.equal(e, v) { return true }
        return false
    }

    func indexOf(_ v: Value) -> Int {
        for (i, e) in items.enumerated() where Value.equal(e, v) { return i }
        return -1
    }

    /// `add`: true when the collection changed.
    @discardableResult
    func add(_ v: Value) -> Bool {
        if isSet && contains(v) { return false }
        items.append(v)
        return true
    }
}
