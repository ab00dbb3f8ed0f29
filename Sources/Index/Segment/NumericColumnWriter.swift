/// Encodes a numeric section (see `NumericColumn` for the byte layout), choosing the smallest of
/// linear (width 0), `value − min` ÷ gcd in 1/2/4/8 bytes, or a table of ≤ 65,536 distinct values.
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

        // Choose the encoding.
        var flags: UInt8 = isDouble ? NumericColumn.Flags.double : 0
        var width = 0
        var base = minValue
        var step: Int64 = 1
        var table: [Int64] = []
        if !multi, let (b, s) = linearFit(docs: docs, values: vals) {
            flags |= NumericColumn.Flags.linear
            base = b; step = s
        } else {
            var g: UInt64 = 0
            var maxDelta: UInt64 = 0
            for v in vals {
                let delta = UInt64(bitPattern: v &- minValue)
                maxDelta = max(maxDelta, delta)
                if g != 1 { g = gcd(g, delta) }
            }
            if g == 0 { g = 1 }
            step = Int64(bitPattern: g)
            width = byteWidth(maxDelta / g)
            if width >= 2 {
                let distinct = sortedUnique(vals)
                let tableWidth = distinct.count <= 256 ? 1 : distinct.count <= 65536 ? 2 : 99
                if tableWidth < width && vals.count * tableWidth + distinct.count * 8 < vals.count * width {
                    flags |= NumericColumn.Flags.table
                    width = tableWidth
                    table = distinct
                }
            }
        }
        if multi { flags |= NumericColumn.Flags.multiValued }
        if sorted { flags |= NumericColumn.Flags.sorted }
        let hasPresence = !multi && docsWithValue < docCount
        if hasPresence { flags |= NumericColumn.Flags.presence }
        let offsetsWidth = multi ? storedWidth(UInt64(vals.count)) : 0

        func pack(_ v: Int64) -> UInt64 {
            if !table.isEmpty {
                var a = 0, b = table.count
                while a < b { let m = (a + b) >> 1; if table[m] < v { a = m + 1 } else { b = m } }
                return UInt64(a)
            }
            return UInt64(bitPattern: v &- base) / UInt64(bitPattern: step)
        }

        // Header, patched with offsets below.
        out.u8(UInt8(width)); out.u8(flags); out.u8(UInt8(offsetsWidth)); for _ in 0..<5 { out.u8(0) }
        out.i64(minValue); out.i64(maxValue); out.i64(base); out.i64(step)
        out.u64(UInt64(vals.count)); out.u64(UInt64(docsWithValue)); out.u64(UInt64(docCount)); out.u64(UInt64(table.count))
        let offsetSlots = out.count
        for _ in 0..<5 { out.u64(0) }

        out.patch(UInt64(out.count - start), at: offsetSlots)
        if flags & NumericColumn.Flags.linear == 0 && width > 0 {
            if multi {
                for v in vals { out.packed(pack(v), width: width) }
            } else {
                var last: UInt64 = 0
                var i = 0
                for d in 0..<docCount {
                    if offsets[d + 1] > offsets[d] { last = pack(vals[i]); i += 1 }
                    out.packed(last, width: width)
                }
            }
            out.align()
        }
        if multi {
            out.patch(UInt64(out.count - start), at: offsetSlots + 8)
            for o in offsets { out.packed(UInt64(o), width: offsetsWidth) }
            out.align()
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
