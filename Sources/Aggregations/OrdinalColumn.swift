import Index

/// Ordinals of a keyword field, or of a text field uninverted for `fielddata: true`.
enum OrdinalColumn {
    case keyword(KeywordField)
    case text(UninvertedText)

    var termCount: Int {
        switch self {
        case .keyword(let k): return k.termCount
        case .text(let t): return t.termCount
        }
    }

    var isMultiValued: Bool {
        switch self {
        case .keyword(let k): return k.isMultiValued
        case .text: return true
        }
    }

    @inline(__always) func firstOrd(_ doc: Int32) -> Int32 {
        switch self {
        case .keyword(let k): return k.firstOrd(doc)
        case .text(let t): return t.firstOrd(doc)
        }
    }

    @inline(__always) func docOrds(_ doc: Int32, into out: inout [Int32]) {
        switch self {
        case .keyword(let k): k.docOrds(doc, into: &out)
        case .text(let t): t.docOrds(doc, into: &out)
        }
    }

    func term(_ ord: Int) -> String {
        switch self {
        case .keyword(let k): return k.term(ord)
        case .text(let t): return t.field.term(ord)
        }
    }

    /// The first ordinal whose term is ≥ `bytes` (binary search over the sorted dictionary).
    func lowerBound(_ bytes: [UInt8]) -> Int {
        var lo = 0, hi = termCount
        while lo < hi {
            let mid = (lo + hi) / 2
            if Array(term(mid).utf8).lexicographicallyPrecedes(bytes) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// A text field's terms per document, rebuilt from its postings (OpenSearch's fielddata).
final class UninvertedText {
    let field: TextField
    let offsets: [Int32]
    let ords: [Int32]
    var termCount: Int { field.termCount }

    init(_ field: TextField, docCount: Int) {
        self.field = field
        var counts = [Int32](repeating: 0, count: docCount + 1)
        for o in 0..<field.termCount { field.postings(o).forEach { doc, _ in counts[Int(doc) + 1] += 1 } }
        for i in 0..<docCount { counts[i + 1] += counts[i] }
        var fill = counts
        var ords = [Int32](repeating: 0, count: Int(counts[docCount]))
        for o in 0..<field.termCount {
            field.postings(o).forEach { doc, _ in
                ords[Int(fill[Int(doc)])] = Int32(o)
                fill[Int(doc)] += 1
            }
        }
        offsets = counts
        self.ords = ords
    }

    func firstOrd(_ doc: Int32) -> Int32 {
        let a = offsets[Int(doc)], b = offsets[Int(doc) + 1]
        return a < b ? ords[Int(a)] : -1
    }

    func docOrds(_ doc: Int32, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        for i in Int(offsets[Int(doc)])..<Int(offsets[Int(doc) + 1]) { out.append(ords[i]) }
    }
}
