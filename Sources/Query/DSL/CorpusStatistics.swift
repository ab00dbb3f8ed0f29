import Foundation
import Index

/// What BM25 needs to know about the whole corpus: per field, how many documents have it, each
/// term's document frequency and the average field length; per document, each field's length.
/// Built by brute force from documents (`init(documents:mapping:)`) or given directly.
///
/// Text fields count analyzed tokens; keyword, ip and boolean fields count distinct values (their
/// norms are omitted, so BM25 sees a length of 1 and an average of distinct values per document —
/// as Lucene does for fields indexed without norms).
public struct CorpusStatistics: Sendable, Equatable {
    /// Documents in the corpus.
    public var docCount: Int
    /// Documents with at least one indexed term in the field (Lucene's `docCount` for idf).
    public var fieldDocCount: [String: Int]
    /// field → term → number of documents containing it.
    public var docFreq: [String: [String: Int]]
    /// field → average length (sum of lengths / documents with the field).
    public var avgFieldLength: [String: Double]
    /// document id → field → length (tokens for text, distinct values otherwise).
    public var fieldLength: [String: [String: Int]]
    /// Round document lengths through Lucene's one-byte norm encoding (`SmallFloat.intToByte4`),
    /// as OpenSearch scores do; exact below 24 tokens.
    public var lossyNorms: Bool

    public static let k1 = 1.2
    public static let b = 0.75

    public init(docCount: Int = 0, fieldDocCount: [String: Int] = [:], docFreq: [String: [String: Int]] = [:],
                avgFieldLength: [String: Double] = [:], fieldLength: [String: [String: Int]] = [:], lossyNorms: Bool = true) {
        self.docCount = docCount; self.fieldDocCount = fieldDocCount; self.docFreq = docFreq
        self.avgFieldLength = avgFieldLength; self.fieldLength = fieldLength; self.lossyNorms = lossyNorms
    }

    public static let empty = CorpusStatistics()

    /// The indexed terms of one document, per field: tokens (with repeats) for text, distinct
    /// values for keyword, ip and boolean fields; numeric and date fields have none (points).
    public static func terms(of doc: ParsedDocument) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (path, v) in doc.fields {
            switch v {
            case .text(let s): out[path, default: []] += QueryAnalyzer.tokens(s)
            case .keyword(let s), .ip(let s):
                if !(out[path]?.contains(s) ?? false) { out[path, default: []].append(s) }
            case .bool(let b):
                let s = b ? "true" : "false"
                if !(out[path]?.contains(s) ?? false) { out[path, default: []].append(s) }
            case .long, .double, .date: continue
            }
        }
        return out
    }

    /// Statistics of a corpus by brute force.
    public init(documents: [(id: String, doc: ParsedDocument)], lossyNorms: Bool = true) {
        self.init(docCount: documents.count, lossyNorms: lossyNorms)
        var sums: [String: Int] = [:]
        for (id, doc) in documents {
            for (field, terms) in CorpusStatistics.terms(of: doc) where !terms.isEmpty {
                fieldDocCount[field, default: 0] += 1
                sums[field, default: 0] += terms.count
                fieldLength[id, default: [:]][field] = terms.count
                for t in Set(terms) { docFreq[field, default: [:]][t, default: 0] += 1 }
            }
        }
        for (field, sum) in sums { avgFieldLength[field] = Double(sum) / Double(fieldDocCount[field]!) }
    }

    /// Lucene's BM25 (k1 = 1.2, b = 0.75, no `(k1 + 1)` factor since Lucene 8):
    /// `idf · tf / (tf + k1 · (1 − b + b · dl / avgdl))`, `idf = ln(1 + (N − n + 0.5) / (n + 0.5))`.
    /// `idfTerms` lists the terms whose idfs add up (several for a phrase).
    public func bm25(field: String, idfTerms: [String], freq: Double, length: Int) -> Double {
        let n = Double(fieldDocCount[field] ?? 0)
        var idf = 0.0
        for t in idfTerms {
            let df = Double(docFreq[field]?[t] ?? 0)
            idf += Foundation.log(1 + (n - df + 0.5) / (df + 0.5))
        }
        let dl = lossyNorms ? Double(CorpusStatistics.decodeNorm(CorpusStatistics.encodeNorm(length))) : Double(length)
        var avg = avgFieldLength[field] ?? dl
        if avg <= 0 { avg = 1 }
        let k = CorpusStatistics.k1 * (1 - CorpusStatistics.b + CorpusStatistics.b * dl / avg)
        return idf * freq / (freq + k)
    }

    /// `SmallFloat.intToByte4`: exact below 24, then 4 significant bits.
    public static func encodeNorm(_ length: Int) -> UInt8 {
        let free = 24
        if length < free { return UInt8(max(0, length)) }
        return UInt8(free + longToInt4(length - free))
    }

    /// `SmallFloat.byte4ToInt`.
    public static func decodeNorm(_ b: UInt8) -> Int {
        let free = 24
        let i = Int(b)
        if i < free { return i }
        return free + int4ToLong(i - free)
    }

    static func longToInt4(_ i: Int) -> Int {
        let numBits = 64 - UInt64(i).leadingZeroBitCount
        if numBits < 4 { return i }
        let shift = numBits - 4
        var encoded = (i >> shift) & 0x07
        encoded |= (shift + 1) << 3
        return encoded
    }

    static func int4ToLong(_ i: Int) -> Int {
        let bits = i & 0x07
        let shift = (i >> 3) - 1
        return shift == -1 ? bits : (bits | 0x08) << shift
    }
}
