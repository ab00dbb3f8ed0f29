/// A Bloom filter over a segment's `_id`s, built in memory the first time the segment is asked
/// for an id. Writes with explicit ids (event ids, session ids) look each one up in every
/// segment of the index, and almost all of those lookups miss; the filter answers a miss with a
/// hash and a few bit probes instead of a binary search over the id dictionary. Not stored:
/// rebuilding it costs one pass over the ids, and the file format stays as it is.
struct IDFilter: Sendable {
    private let words: [UInt64]
    private let mask: UInt64

    /// About 12 bits per id and 4 probes: under 1% false positives.
    init(count: Int, forEachID: ((UnsafeRawBufferPointer) -> Void) -> Void) {
        var bits = 64
        while bits < count * 12 { bits <<= 1 }
        var w = [UInt64](repeating: 0, count: bits / 64)
        let m = UInt64(bits - 1)
        w.withUnsafeMutableBufferPointer { p in
            forEachID { id in
                var h = IDFilter.hash(id)
                let step = (h >> 32) | 1
                for _ in 0..<4 {
                    let b = h & m
                    p[Int(b >> 6)] |= 1 << (b & 63)
                    h &+= step
                }
            }
        }
        words = w
        mask = m
    }

    /// False when `id` is certainly absent.
    func mayContain(_ id: UnsafeRawBufferPointer) -> Bool {
        var h = IDFilter.hash(id)
        let step = (h >> 32) | 1
        for _ in 0..<4 {
            let b = h & mask
            if words[Int(b >> 6)] & (1 << (b & 63)) == 0 { return false }
            h &+= step
        }
        return true
    }

    /// FNV-1a over the bytes, then a 64-bit finaliser so that low bits mix.
    @inline(__always) static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h &*= 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}
