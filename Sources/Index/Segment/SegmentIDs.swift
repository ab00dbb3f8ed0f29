import Storage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `_id` section: id → doc for get/update by id, doc → id for hits.
///
/// Byte layout (8-byte aligned; offsets relative to the section start):
/// ```
/// 0   u8  mode       0 = dictionary, 1 = packed base64url ids
/// 1   u8  flags      1 = identity (mode 0: ids ascending in doc order, so ordinal == doc id)
/// 2   u8  mapBits    bits per doc id / ordinal in the maps (`PackedInts`)
/// 3   5 bytes zero
/// 8   u64 uniqueCount   mode 0: distinct ids; mode 1: docCount
/// 16  u64 offset A      mode 0: `TermDictionary` of the distinct ids
///                       mode 1: docCount records of 15 bytes, in doc order: the 20-character
///                       URL-safe base64 ids (the auto-generated kind) decoded to their 120 bits
/// 24  u64 offset B      mode 0: ordinal → doc (the highest doc with that id), uniqueCount entries
///                       mode 1: doc ids ordered by (record bytes, doc), docCount entries
/// 32  u64 offset C      mode 0 without identity: doc → ordinal, docCount entries
/// ```
/// Mode 1 is used when every id is 20 base64url characters: 15 bytes instead of ~21 front-coded,
/// plus ceil(log2(docCount)) bits of map.
/// When an id occurs more than once (an older copy, deleted by live docs), `docID(for:)` answers
/// the highest doc id.
struct SegmentIDs {
    static let packedLength = 15
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let decodeTable: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    let docCount: Int
    let packedMode: Bool
    let identity: Bool
    let dictionary: TermDictionary?
    let records: UnsafeRawPointer?
    let mapA: PackedInts  // mode 0: ord → doc; mode 1: sorted docs
    let mapB: PackedInts  // mode 0: doc → ord

    // MARK: base64url

    /// The 120 bits of a 20-character base64url id as (first 8 bytes, last 7 bytes) big-endian,
    /// so tuple order is byte order; nil for any other id.
    static func pack(_ id: String) -> (UInt64, UInt64)? {
        var hi: UInt64 = 0, lo: UInt64 = 0
        var count = 0
        for c in id.utf8 {
            guard count < 20 else { return nil }
            let v = decodeTable[Int(c)]
            guard v != 0xFF else { return nil }
            // chars 0-9 fill bits 119..60 (hi holds bits 119..56), char 10 straddles, 11-19 fill lo.
            if count < 10 {
                hi = hi << 6 | UInt64(v)
            } else if count == 10 {
                hi = hi << 4 | UInt64(v >> 2)
                lo = UInt64(v & 3)
            } else {
                lo = lo << 6 | UInt64(v)
            }
            count += 1
        }
        return count == 20 ? (hi, lo) : nil
    }

    static func unpack(_ p: UnsafeRawPointer) -> String {
        var out = [UInt8]()
        out.reserveCapacity(20)
        for g in 0..<5 {
            let v = UInt32(p.u8(g * 3)) << 16 | UInt32(p.u8(g * 3 + 1)) << 8 | UInt32(p.u8(g * 3 + 2))
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: writing

    static func write(_ ids: [String], into out: inout SegmentBuffer) {
        let start = out.count
        precondition(start & 7 == 0)
        let docCount = ids.count
        let mapBits = PackedInts.bitsRequired(UInt64(max(docCount - 1, 0)))
        var packed: [(UInt64, UInt64)] = []
        packed.reserveCapacity(docCount)
        for id in ids {
            guard let p = pack(id) else { break }
            packed.append(p)
        }
        if docCount > 0 && packed.count == docCount {
            var order = packed.enumerated().map { (hi: $1.0, lo: $1.1, doc: $0) }
            order.sort { $0.hi != $1.hi ? $0.hi < $1.hi : $0.lo != $1.lo ? $0.lo < $1.lo : $0.doc < $1.doc }
            out.u8(1); out.u8(0); out.u8(UInt8(mapBits)); for _ in 0..<5 { out.u8(0) }
            out.u64(UInt64(docCount))
            let slots = out.count
            for _ in 0..<3 { out.u64(0) }
            out.patch(UInt64(out.count - start), at: slots)
            for p in packed {
                for i in 0..<8 { out.u8(UInt8(truncatingIfNeeded: p.0 >> UInt64(56 - 8 * i))) }
                for i in 0..<7 { out.u8(UInt8(truncatingIfNeeded: p.1 >> UInt64(48 - 8 * i))) }
            }
            out.align()
            out.patch(UInt64(out.count - start), at: slots + 8)
            out.packedInts(order.lazy.map { UInt64($0.doc) }, bits: mapBits)
            return
        }
        // Dictionary mode.
        var lastDoc: [TermKey: Int] = [:]
        lastDoc.reserveCapacity(docCount)
        let bytes = ids.map { TermKey(bytes: Array($0.utf8)) }
        for (d, b) in bytes.enumerated() { lastDoc[b] = d }
        let terms = lastDoc.keys.map(\.bytes).sorted(by: bytesPrecede)
        var identity = terms.count == docCount
        if identity { for d in 1..<max(1, docCount) where !bytesPrecede(bytes[d - 1].bytes, bytes[d].bytes) { identity = false; break } }
        out.u8(0); out.u8(identity ? 1 : 0); out.u8(UInt8(mapBits)); for _ in 0..<5 { out.u8(0) }
        out.u64(UInt64(terms.count))
        let slots = out.count
        for _ in 0..<3 { out.u64(0) }
        out.patch(UInt64(out.count - start), at: slots)
        TermDictionary.write(terms, into: &out)
        if !identity {
            var ordOf: [TermKey: Int] = [:]
            ordOf.reserveCapacity(terms.count)
            for (o, t) in terms.enumerated() { ordOf[TermKey(bytes: t)] = o }
            out.patch(UInt64(out.count - start), at: slots + 8)
            out.packedInts(terms.lazy.map { UInt64(lastDoc[TermKey(bytes: $0)]!) }, bits: mapBits)
            out.patch(UInt64(out.count - start), at: slots + 16)
            out.packedInts(bytes.lazy.map { UInt64(ordOf[$0]!) }, bits: mapBits)
        }
    }

    // MARK: reading

    init(_ c: SegmentCursor, docCount: Int) throws(StorageError) {
        self.docCount = docCount
        let mode = try c.u8(0)
        identity = try c.u8(1) & 1 != 0
        let bits = try c.bits(2)
        let uniqueCount = try c.int(8)
        guard mode <= 1, uniqueCount <= docCount else { throw c.fail("bad _id header") }
        packedMode = mode == 1
        if packedMode {
            guard uniqueCount == docCount, !identity else { throw c.fail("bad packed _id header") }
            dictionary = nil
            records = try c.pointer(try c.int(16), docCount * Self.packedLength)
            mapA = try c.packedInts(try c.int(24), count: docCount, bits: bits)
            mapB = mapA
            for i in 0..<docCount where mapA[i] >= UInt64(docCount) { throw c.fail("bad _id map") }
        } else {
            let dict = try TermDictionary(c, at: try c.int(16))
            guard dict.termCount == uniqueCount, !identity || uniqueCount == docCount else { throw c.fail("bad _id dictionary") }
            dictionary = dict
            records = nil
            if identity {
                mapA = PackedInts(base: dict.data, bits: 0)
                mapB = mapA
            } else {
                mapA = try c.packedInts(try c.int(24), count: uniqueCount, bits: bits)
                mapB = try c.packedInts(try c.int(32), count: docCount, bits: bits)
                for i in 0..<uniqueCount where mapA[i] >= UInt64(docCount) { throw c.fail("bad _id map") }
                for i in 0..<docCount where mapB[i] >= UInt64(uniqueCount) { throw c.fail("bad _id map") }
            }
        }
    }

    /// The (first 8 bytes, last 7 bytes) big-endian of the packed record at `p`, as `pack` makes them.
    @inline(__always) static func key(_ p: UnsafeRawPointer) -> (UInt64, UInt64) {
        (UInt64(bigEndian: p.loadUnaligned(as: UInt64.self)),
         UInt64(bigEndian: (p + 7).loadUnaligned(as: UInt64.self)) & 0x00FF_FFFF_FFFF_FFFF)
    }

    func docID(for id: String) -> Int32? {
        if let records {
            // Upper bound: the first sorted position whose record is > key; equal ones precede it.
            guard let key = Self.pack(id) else { return nil }
            var lo = 0, hi = docCount
            while lo < hi {
                let mid = (lo + hi) >> 1
                if Self.key(records + Int(mapA[mid]) &* Self.packedLength) <= key { lo = mid + 1 } else { hi = mid }
            }
            guard lo > 0 else { return nil }
            let doc = Int(mapA[lo - 1])
            return Self.key(records + doc * Self.packedLength) == key ? Int32(doc) : nil
        }
        guard let dictionary, let ord = dictionary.ord(of: Array(id.utf8)) else { return nil }
        return Int32(identity ? ord : Int(mapA[ord]))
    }

    func id(of doc: Int32) -> String {
        let d = Int(doc)
        precondition(d >= 0 && d < docCount, "doc \(doc) out of range 0..<\(docCount)")
        if let records { return Self.unpack(records + d * Self.packedLength) }
        return dictionary!.term(identity ? d : Int(mapB[d]))
    }
}
