/// How a column's raw longs read as doubles (metrics, histograms).
public enum RawDoubleView: Sendable {
    case long, sortableDouble, unsigned
}

extension NumericColumn {
    /// Writes the value of every document in `docs` that has one to `out` as a double and
    /// answers how many were written. Single-valued columns only. The encoding, presence and
    /// view branches are taken once per batch rather than once per document, so each of the
    /// specialised loops below is a few loads and an add.
    public func decodeDoubles(_ docs: UnsafeBufferPointer<Int32>, _ view: RawDoubleView, into out: UnsafeMutablePointer<Double>) -> Int {
        precondition(!isMultiValued, "decodeDoubles reads single-valued columns")
        switch view {
        case .long: return decode(docs, out) { Double($0) }
        case .sortableDouble: return decode(docs, out) { NumericColumn.double(fromSortable: $0) }
        case .unsigned: return decode(docs, out) { UnsignedLong.double($0) }
        }
    }

    @inline(__always)
    private func decode(_ docs: UnsafeBufferPointer<Int32>, _ out: UnsafeMutablePointer<Double>, _ conv: (Int64) -> Double) -> Int {
        let base = self.base, step = self.step, table = self.table
        let packed = self.packed, blocked = self.blocked
        switch encoding {
        case .linear:
            return each(docs, out) { d in conv(base &+ step &* Int64(d)) }
        case .table:
            return each(docs, out) { d in conv(table.i64(Int(truncatingIfNeeded: packed[d]) &<< 3)) }
        case .packed:
            return each(docs, out) { d in conv(base &+ Int64(bitPattern: packed[d] &* UInt64(bitPattern: step))) }
        case .blocks:
            return each(docs, out) { d in conv(base &+ Int64(bitPattern: blocked[d] &* UInt64(bitPattern: step))) }
        }
    }

    @inline(__always)
    private func each(_ docs: UnsafeBufferPointer<Int32>, _ out: UnsafeMutablePointer<Double>, _ value: (Int) -> Double) -> Int {
        var n = 0
        if let presence {
            for i in 0..<docs.count {
                let d = Int(docs[i])
                if presence.bit(d) { out[n] = value(d); n &+= 1 }
            }
        } else {
            for i in 0..<docs.count { out[i] = value(Int(docs[i])) }
            n = docs.count
        }
        return n
    }
}
