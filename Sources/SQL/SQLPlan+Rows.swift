import JSON

/// Turning search responses into rows: hits by `_source` path, aggregations by row key, then
/// HAVING, ORDER BY, OFFSET and LIMIT in memory for aggregated rows.
extension SQLPlan {
    /// Rows of a hits-mode response.
    public func hitRows(_ response: JSONValue) -> [[JSONValue]] {
        guard case .array(let hits)? = response["hits"]?["hits"] else { return [] }
        return hits.map { h in
            let src = h["_source"] ?? .object(JSONObject())
            return columns.map { c in
                switch c.key {
                case "_id", "_index": return h[c.key] ?? .null
                default: return SQLPlan.value(src, c.key) ?? .null
                }
            }
        }
    }

    /// The single row of a metrics-mode response, keyed.
    public func metricRow(_ response: JSONValue) -> [String: JSONValue] {
        var row: [String: JSONValue] = [:]
        let total = response["hits"]?["total"]?["value"] ?? .int(0)
        let aggs = response["aggregations"] ?? .object(JSONObject())
        for m in metrics { row[m.key] = metricValue(m, aggs[m.key], docCount: total) }
        return row
    }

    /// One composite page: its rows, keyed, and the `after_key` to ask for next (nil at the end).
    public func groupPage(_ response: JSONValue) -> (rows: [[String: JSONValue]], after: JSONValue?) {
        guard let agg = response["aggregations"]?[SQLPlan.compositeName], case .array(let buckets)? = agg["buckets"] else { return ([], nil) }
        var rows: [[String: JSONValue]] = []
        for b in buckets {
            var row: [String: JSONValue] = [:]
            for g in groups { row[g.key] = b["key"]?[g.key] ?? .null }
            for m in metrics { row[m.key] = metricValue(m, b[m.key], docCount: b["doc_count"] ?? .int(0)) }
            rows.append(row)
        }
        let after = buckets.isEmpty ? nil : agg["after_key"]
        return (rows, after)
    }

    /// The body for the composite page after `after`.
    public func body(after: JSONValue) -> JSONValue { composite(body) { $0["after"] = after } }

    /// Pages of at most `size` groups (at least 1).
    public mutating func limitPageSize(_ size: Int) {
        pageSize = max(1, min(pageSize, size))
        let n = pageSize
        body = composite(body) { $0["size"] = .number(n) }
    }

    func composite(_ body: JSONValue, _ change: (inout JSONObject) -> Void) -> JSONValue {
        guard case .object(var o) = body, case .object(var aggs)? = o["aggs"], case .object(var top)? = aggs[SQLPlan.compositeName],
              case .object(var comp)? = top["composite"] else { return body }
        change(&comp)
        top["composite"] = .object(comp)
        aggs[SQLPlan.compositeName] = .object(top)
        o["aggs"] = .object(aggs)
        return .object(o)
    }

    func metricValue(_ m: Metric, _ agg: JSONValue?, docCount: JSONValue) -> JSONValue {
        if m.aggregate.function == .count && m.aggregate.field == nil { return docCount }
        let v = agg?["value"] ?? .null
        switch m.aggregate.function {
        case .count: return v.int64Value.map { .int($0) } ?? v
        case .sum, .min, .max:
            if m.field?.isIntegral == true, let i = v.int64Value { return .int(i) }
            return v
        case .avg: return v
        }
    }

    /// Keyed rows → output rows: HAVING, ORDER BY, OFFSET, LIMIT, then the SELECT columns.
    public func finish(_ keyed: [[String: JSONValue]]) -> (rows: [[JSONValue]], total: Int) {
        var rows = keyed
        if let having { rows = rows.filter { SQLRowEvaluator.evaluate(having, $0) == true } }
        if !order.isEmpty {
            rows.sort { a, b in
                for o in order {
                    let c = SQLRowEvaluator.compareForSort(a[o.key] ?? .null, b[o.key] ?? .null, nullsFirst: o.nullsFirst, descending: o.descending)
                    if c != 0 { return c < 0 }
                }
                return false
            }
        }
        let total = rows.count
        let start = min(offset, rows.count)
        let end = limit.map { min(rows.count, start + $0) } ?? rows.count
        let out = rows[start..<end].map { r in columns.map { c in render(c, r[c.key] ?? .null) } }
        return (out, total)
    }

    func render(_ c: Column, _ v: JSONValue) -> JSONValue {
        if c.isDate, let ms = v.int64Value { return .string(SQLPlan.timestamp(ms)) }
        if c.isDate, case .double(let d) = v, d.isFinite, abs(d) < 9e15 { return .string(SQLPlan.timestamp(Int64(d))) }
        return v
    }

    /// Epoch millis as the SQL plugin prints timestamps: `yyyy-MM-dd HH:mm:ss[.SSS]` in UTC.
    public static func timestamp(_ ms: Int64) -> String {
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let rem = ms - days * 86_400_000
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ v: Int64, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        var out = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2)) \(pad(rem / 3_600_000, 2)):\(pad(rem / 60_000 % 60, 2)):\(pad(rem / 1000 % 60, 2))"
        if rem % 1000 != 0 { out += "." + pad(rem % 1000, 3) }
        return out
    }

    /// The value at dotted `path` of a `_source` object (dotted keys and nested objects both).
    public static func value(_ source: JSONValue, _ path: String) -> JSONValue? {
        if let direct = source[path] { return direct }
        if case .object(let o) = source {
            for (k, v) in o where path.hasPrefix(k + ".") {
                if let found = value(v, String(path.dropFirst(k.count + 1))) { return found }
            }
        }
        if case .array(let a) = source {
            let vals = a.compactMap { value($0, path) }
            return vals.isEmpty ? nil : .array(vals)
        }
        return nil
    }
}
