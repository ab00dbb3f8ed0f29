import Dispatch
import Synchronization

/// Hands freed heap pages back to the system after buffers are written out, at most once per
/// `interval` across all indices. Trimming after every refresh of every index made the next
/// batch fault the same pages back in; during ingestion that cost more CPU than it saved.
enum MemoryTrimmer {
    static let interval: UInt64 = 5_000_000_000
    static let last = Atomic<UInt64>(0)

    /// Trims when the last trim is `interval` old, or at once when `force` (a large buffer was
    /// just freed, such as the indexing-buffer limit's flush).
    static func afterFlush(force: Bool = false) {
        #if os(Linux)
        let now = DispatchTime.now().uptimeNanoseconds
        let prev = last.load(ordering: .relaxed)
        guard force || now &- prev >= interval else { return }
        guard last.compareExchange(expected: prev, desired: now, ordering: .relaxed).exchanged else { return }
        _ = glibcMallocTrim(0)
        #endif
    }
}
