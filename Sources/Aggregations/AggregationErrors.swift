import Index
import JSON

/// The client-visible errors of the aggregation framework, worded as OpenSearch 2.x words them so
/// that clients and OpenSearch's REST tests that match on `type` and `reason` keep working.
enum AggregationErrors {
    /// A parameter rejected while parsing an aggregation body: OpenSearch's ObjectParser wraps the
    /// setter's exception in an `x_content_parse_exception` naming the field.
    static func field(_ type: String, _ field: String, _ reason: String) -> OpenSearchError {
        OpenSearchError("x_content_parse_exception", "[\(type)] failed to parse field [\(field)]", status: 400,
                        causedBy: .illegalArgument(reason))
    }

    static func unknownField(_ type: String, _ field: String, candidates: [String]) -> OpenSearchError {
        OpenSearchError("x_content_parse_exception", "[\(type)] unknown field [\(field)]\(suggest(field, candidates))", status: 400)
    }

    static func unknownType(_ type: String) -> OpenSearchError {
        .parsing("Unknown aggregation type [\(type)]\(suggest(type, AggregationParser.knownTypeNames))")
    }

    static func tooManyBuckets(limit: Int, count: Int) -> OpenSearchError {
        OpenSearchError("too_many_buckets_exception",
                        "Trying to create too many buckets. Must be less than or equal to: [\(limit)] but was [\(count)]. This limit can be set by changing the [search.max_buckets] cluster level setting.",
                        status: 400, metadata: JSONObject([("max_buckets", .number(limit))]))
    }

    static func textField(_ field: String) -> OpenSearchError {
        .illegalArgument("Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [\(field)] in order to load field data by uninverting the inverted index. Note that this can use significant memory.")
    }

    static func unsupportedField(_ field: String, _ type: String, _ agg: String) -> OpenSearchError {
        .illegalArgument("Field [\(field)] of type [\(type)] is not supported for aggregation [\(agg)]")
    }

    static func script(_ name: String) -> OpenSearchError {
        .illegalArgument("[script] is not supported in aggregation [\(name)]: Searchlight aggregates fields only, use [field]")
    }

    static func validation(_ problem: String) -> OpenSearchError {
        .actionValidation([problem])
    }

    /// OpenSearch's `SuggestingErrorOnUnknown.suggest`: candidates with a Lucene Levenshtein
    /// similarity above 0.5, best first.
    static func suggest(_ unknown: String, _ candidates: [String]) -> String {
        var scored: [(Float, String)] = []
        for c in candidates {
            let d = similarity(unknown, c)
            if d > 0.5 { scored.append((d, c)) }
        }
        if scored.isEmpty { return "" }
        scored.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
        if scored.count == 1 { return " did you mean [\(scored[0].1)]?" }
        return " did you mean any of [\(scored.map(\.1).joined(separator: ", "))]?"
    }

    /// Lucene's `LevenshteinDistance.getDistance`: 1 − edits / max(length).
    static func similarity(_ a: String, _ b: String) -> Float {
        let s = Array(a.unicodeScalars), t = Array(b.unicodeScalars)
        if s.isEmpty || t.isEmpty { return s.count == t.count ? 1 : 0 }
        var prev = Array(0...s.count), cur = [Int](repeating: 0, count: s.count + 1)
        for j in 1...t.count {
            cur[0] = j
            for i in 1...s.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                cur[i] = min(min(cur[i - 1] + 1, prev[i] + 1), prev[i - 1] + cost)
            }
            swap(&prev, &cur)
        }
        return 1 - Float(prev[s.count]) / Float(max(s.count, t.count))
    }
}
