/// Encodes a numeric section (see `NumericColumn` for the byte layout), choosing the smallest of
/// linear (no per-doc data), `value − min` ÷ gcd bit-packed, the same per 1,024-doc block relative
/// to the block's minimum, or a bit-packed index into a table of ≤ 65,536 distinct values.
enum NumericColumnWriter {
    /// Appends a numeric section for `(docs[i], values[i])` pairs (docs ascending) at the buffer's
    /// 8-aligned position; returns the min and max value.
    @discardableResult
    static func write(docs: [Int32], values: [Int64], docCount: Int, isDouble: Bool, into out: inout SegmentBuffer) -> (min: Int64, max: Int64) {
        let start = out.count
        precondition(start & 7 == 0 && docs.count == values.count)
        // Per-doc value ranges; each doc's values ascending.
        var offsets = [Int](repeating: 0, count: docCount + 1)
        for d in docs { offsets[Int(d) + 1] += 1 }
        var multi = false
        var docsWithValue = 0
        for d in 0..<docCount {
            let n = offsets[d + 1]
            if n > 1 { multi = true }
            if n > 0 { docsWithValue += 1 }
            offsets[d + 1] += offsets[d]
        }
        var vals = values
        if multi {
            for d in 0..<docCount where offsets[d + 1] - offsets[d] > 1 { vals[offsets[d]..<offsets[d + 1]].sort() }
        }
        let minValue = vals.min() ?? 0, maxValue = vals.max() ?? 0
        var present = [UInt64](repeating: 0, count: bitsetWordCount(docCount))
        for d in docs { present[Int(d) >> 6] |= 1 << UInt64(Int(d) & 63) }

        // Sorted: single-valued and non-decreasing over the docs that have a value.
        var sorted = !multi
        if sorted { for i in vals.indices.dropFirst() where vals[i] < vals[i - 1] { sorted = false; break } }

        // The values in storage order: one per doc (a missing doc repeats the previous value, so
        // a sorted column stays sorted) or, multi-valued, every value.
        var stored: [Int64]
        if multi {
            stored = vals
        } else {
            stored = []
            stored.reserveCapacity(docCount)
            var last = minValue
            var i = 0
            for d in 0..<docCount {
                if offsets[d + 1] > offsets[d] { last = vals[i]; i += 1 }
                stored.append(last)
            }
        }

        // Choose the encoding.
        var encoding = NumericColumn.Encoding.packed
        var base = minValue
        var step: Int64 = 1
        var table: [Int64] = []
        var bits = 0
        var units: [UInt64] = []
        if !multi, let (b, s) = linearFit(docs: docs, values: vals) {
            encoding = .linear
            base = b; step = s
        } else {
            var g: UInt64 = 0
            for v in vals where g != 1 { g = gcd(g, UInt64(bitPattern: v &- minValue)) }
            // The step must be a positive Int64: differences across the whole long range (sortable
            // doubles of both signs, say -0.25 and 0.5) can have a gcd of 2^63 or more. Step 1
            // then, with 64-bit units; decoding wraps back to the value.
            if g == 0 || g > UInt64(Int64.max) { g = 1 }
            step = Int64(bitPattern: g)
            units = stored.map { UInt64(bitPattern: $0 &- minValue) / g }
            bits = PackedInts.bitsRequired(units.max() ?? 0)
            var bytes = PackedInts.byteCount(units.count, bits: bits)
            let blockBits = BlockedInts.bitsRequired(units)
            if BlockedInts.byteCount(units.count, bits: blockBits) < bytes {
                encoding = .blocks
                bits = blockBits
                bytes = BlockedInts.byteCount(units.count, bits: blockBits)
            }
            let distinct = sortedUnique(vals)
            if !distinct.isEmpty && distinct.count <= 65_536 {
                let tableBits = PackedInts.bitsRequired(UInt64(distinct.count - 1))
                if PackedInts.byteCount(stored.count, bits: tableBits) + distinct.count * 8 < bytes {
                    encoding = .table
                    table = distinct
                    bits = tableBits
                }
            }
        }
        var flags: UInt8 = isDouble ? NumericColumn.Flags.double : 0
        if multi { flags |= NumericColumn.Flags.multiValued }
        if sorted { flags |= NumericColumn.Flags.sorted }
        let hasPresence = !multi && docsWithValue < docCount
        if hasPresence { flags |= NumericColumn.Flags.presence }
        let offsetsBits = multi ? PackedInts.bitsRequired(UInt64(vals.count)) : 0

        // Header, patched with offsets below.
        out.u8(encoding.rawValue); out.u8(flags); out.u8(UInt8(bits)); out.u8(UInt8(offsetsBits)); for _ in 0..<4 { out.u8(0) }
        out.i64(minValue); out.i64(maxValue); out.i64(base); out.i64(step)
        out.u64(UInt64(vals.count)); out.u64(UInt64(docsWithValue)); out.u64(UInt64(docCount)); out.u64(UInt64(table.count))
        let offsetSlots = out.count
        for _ in 0..<5 { out.u64(0) }

        switch encoding {
        case .linear:
            break
        case .table:
            out.patch(UInt64(out.count - start), at: offsetSlots)
            out.packedInts(stored.lazy.map { v in
                var a = 0, b = table.count
                while a < b { let m = (a + b) >> 1; if table[m] < v { a = m + 1 } else { b = m } }
                return UInt64(a)
            }, bits: bits)
        case .packed:
            out.patch(UInt64(out.count - start), at: offsetSlots)
            out.packedInts(units, bits: bits)
        case .blocks:
            out.patch(UInt64(out.count - start), at: offsetSlots)
            out.blockedInts(units, bits: bits)
        }
        if multi {
            out.patch(UInt64(out.count - start), at: offsetSlots + 8)
            out.packedInts(offsets.lazy.map { UInt64($0) }, bits: offsetsBits)
        }
        if hasPresence {
            out.patch(UInt64(out.count - start), at: offsetSlots + 16)
            out.bitset(present)
        }
        out.patch(UInt64(out.count - start), at: offsetSlots + 24)
        let zoneCount = (docCount + NumericColumn.zoneSize - 1) >> NumericColumn.zoneShift
        for b in 0..<zoneCount {
            let from = offsets[b << NumericColumn.zoneShift]
            let to = offsets[min(docCount, (b + 1) << NumericColumn.zoneShift)]
            let zone = vals[from..<to]
            out.i64(zone.min() ?? .max)
            out.i64(zone.max() ?? .min)
        }
        out.patch(UInt64(out.count - start), at: offsetSlots + 32)
        for v in table { out.i64(v) }
        out.align()
        return (minValue, maxValue)
    }

    /// `(base, step)` with `value == base + doc × step` for every (single-valued) pair, if any.
    static func linearFit(docs: [Int32], values: [Int64]) -> (Int64, Int64)? {
        guard let d0 = docs.first, let v0 = values.first else { return (0, 0) }
        var step = Int128(0)
        if docs.count > 1 {
            let dd = Int128(docs[1]) - Int128(d0), dv = Int128(values[1]) - Int128(v0)
            guard dd > 0, dv % dd == 0 else { return nil }
            step = dv / dd
        }
        let base = Int128(v0) - step * Int128(d0)
        guard let b = Int64(exactly: base), let s = Int64(exactly: step) else { return nil }
        for i in docs.indices where Int128(b) + Int128(s) * Int128(docs[i]) != Int128(values[i]) { return nil }
        return (b, s)
    }

    /// The distinct values, ascending.
    static func sortedUnique(_ values: [Int64]) -> [Int64] {
        var out: [Int64] = []
        for v in values.sorted() where out.last != v { out.append(v) }
        return out
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var a = a, b = b
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
