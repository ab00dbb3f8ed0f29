/// Mutable state behind a `let` pointer. Hot loops in collectors mutate it through the pointer,
/// which skips the dynamic exclusivity checks Swift performs on every access to a class's `var`
/// properties (measured here as a large share of per-document time).
///
/// Invariant: a `Box` is owned by one collector of one segment and used from one thread.
final class Box<T> {
    let p: UnsafeMutablePointer<T>

    init(_ value: T) {
        p = .allocate(capacity: 1)
        p.initialize(to: value)
    }

    deinit {
        p.deinitialize(count: 1)
        p.deallocate()
    }
}
