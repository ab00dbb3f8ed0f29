import Index

/// Term and field statistics over all segments of an index snapshot, for BM25 (Lucene's
/// definitions: deleted documents still count until merged away).
public final class IndexStatistics: @unchecked Sendable {
    // Invariant: only mutated under `lock`; caches are filled lazily by concurrent segment searches.
    let segments: [Segment]
    private var docFreqCache: [String: Int] = [:]
    private var fieldCache: [String: (docCount: Int, avgLength: Double)] = [:]
    private let lock = NSLockLike()

    public init(segments: [Segment]) { self.segments = segments }

    /// Number of documents containing `term` in text field `field`.
    public func docFreq(_ field: String, _ term: String) -> Int {
        let key = field + "\u{0}" + term
        if let v = lock.withLock({ docFreqCache[key] }) { return v }
        var n = 0
        for s in segments {
            if let t = s.text(field), let o = t.ord(of: term) { n += t.postings(o).count }
            else if let k = s.keyword(field), let o = k.ord(of: term) { n += k.postings(o).count }
        }
        lock.withLock { docFreqCache[key] = n }
        return n
    }

    /// Documents with the field, and their average length in tokens.
    public func field(_ field: String) -> (docCount: Int, avgLength: Double) {
        if let v = lock.withLock({ fieldCache[field] }) { return v }
        var docs = 0
        var sum: Int64 = 0
        for s in segments {
            if let t = s.text(field) { docs += t.docsWithField; sum += t.sumFieldLength }
            else if let k = s.keyword(field) {
                docs += s.docCount  // keyword fields have length 1 per value; approximate by documents
                sum += Int64(s.docCount)
                _ = k
            }
        }
        let r = (docs, docs == 0 ? 1.0 : Double(sum) / Double(docs))
        lock.withLock { fieldCache[field] = r }
        return r
    }

    /// BM25 idf: ln(1 + (N − n + 0.5) / (n + 0.5)).
    public func idf(_ field: String, _ term: String) -> Double {
        let n = Double(docFreq(field, term))
        let N = Double(max(self.field(field).docCount, 1))
        return log(1 + (N - n + 0.5) / (n + 0.5))
    }
}

import Synchronization

/// A tiny lock for caches (Mutex needs the value inside; here the caches are class members).
final class NSLockLike: @unchecked Sendable {
    private let m = Mutex(())
    func withLock<T>(_ body: () throws -> T) rethrows -> T { try m.withLock { _ in try body() } }
}

#if canImport(Glibc)
import Glibc
#endif
