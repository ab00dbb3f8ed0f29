import Index
import JSON
import Query

/// The can-match phase: an index none of whose segments holds a value inside a required range
/// (a top-level `range`, or one under `bool.must`/`filter`/`constant_score`) cannot match, so it
/// is not searched ("last 2 days" touches 3 daily indices, not 30).
enum CanMatch {
    static func requiredRanges(_ q: Query) -> [RangeQuery] {
        switch q {
        case .range(let r): return [r]
        case .bool(let b): return (b.must + b.filter).flatMap(requiredRanges)
        case .constantScore(let c): return requiredRanges(c.filter)
        default: return []
        }
    }

    static func canMatch(_ snap: IndexSnapshot, _ query: Query, now: Int64) -> Bool {
        if snap.segments.isEmpty { return true }  // nothing to skip; the search is free
        for r in requiredRanges(query) {
            guard let type = snap.mapping.field(r.field)?.type,
                  type.isNumeric || type == .date || type == .dateNanos || type == .boolean else { continue }
            let resolved: (Int64, Int64)?
            do { resolved = try QueryValues.bounds(r, type: type, mapping: snap.mapping, now: now) } catch { continue }
            guard let bounds = resolved else { return false }  // an empty range matches nothing
            let overlaps = snap.segments.contains { v in
                guard let col = v.segment.numeric(r.field) else { return false }
                return col.minValue <= bounds.1 && col.maxValue >= bounds.0
            }
            if !overlaps { return false }
        }
        return true
    }
}
