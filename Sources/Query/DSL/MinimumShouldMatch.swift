import Index
import JSON

/// A `minimum_should_match` spec: `3`, `-2`, `75%`, `-25%`, or conditional forms such as
/// `3<90%` and `2<-25% 9<-3`. Resolved against the number of optional clauses exactly like
/// OpenSearch's `Queries.calculateMinShouldMatch` (a result can exceed the clause count, in which
/// case nothing matches).
public struct MinimumShouldMatch: Sendable, Equatable, CustomStringConvertible {
    public let spec: String

    /// Validates `spec`; OpenSearch fails only when resolving, but a spec that can never resolve is
    /// better reported at parse time.
    public init(_ spec: String) throws(OpenSearchError) {
        let t = spec.dslTrimmed(" ")
        guard MinimumShouldMatch.resolve(t, 10) != nil else {
            throw OpenSearchError.illegalArgument("For input string: \"\(spec)\"")
        }
        self.spec = t
    }

    /// A plain count.
    public init(count: Int) { self.spec = String(count) }

    /// Accepts a JSON number or string.
    public init(json: JSONValue) throws(OpenSearchError) {
        switch json {
        case .int(let i): self.init(count: Int(i))
        case .string(let s): try self.init(s)
        default: throw OpenSearchError.illegalArgument("[minimum_should_match] must be a number or a string, got [\(json.tokenName)]")
        }
    }

    public var description: String { spec }

    /// How many of `optionalClauses` clauses must match (never negative).
    public func required(optionalClauses n: Int) -> Int { MinimumShouldMatch.resolve(spec, n) ?? n }

    static func resolve(_ raw: String, _ count: Int) -> Int? {
        var spec = raw.dslTrimmed(" ")
        if spec.contains("<") {
            // Conditional: "a<x b<y": above a clauses use x, above b use y.
            while spec.contains(" <") { spec = spec.dslReplacingAll(" <", with: "<") }
            while spec.contains("< ") { spec = spec.dslReplacingAll("< ", with: "<") }
            var result = count
            for part in spec.split(separator: " ") {
                let pieces = part.split(separator: "<", omittingEmptySubsequences: false)
                guard pieces.count == 2, let upper = Int32(pieces[0]).map(Int.init) else { return nil }
                if count <= upper { return result }
                guard let r = resolve(String(pieces[1]), count) else { return nil }
                result = r
            }
            return result
        }
        var result = count
        // Java ints, as in OpenSearch: `Integer.parseInt` rejects what does not fit, and
        // `result * percent` wraps instead of trapping (a huge percent crashed the parser).
        if spec.hasSuffix("%") {
            guard let percent = Int32(spec.dropLast()) else { return nil }
            let calc = Float(Int32(truncatingIfNeeded: result) &* percent) * (1 / Float(100))
            result = calc < 0 ? result + Int(calc) : Int(calc)
        } else {
            guard let calc = Int32(spec) else { return nil }
            result = calc < 0 ? result + Int(calc) : Int(calc)
        }
        return max(0, result)
    }
}

extension String {
    func dslTrimmed(_ c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s.removeFirst() }
        while s.last == c { s.removeLast() }
        return String(s)
    }

    func dslReplacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.dslRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    /// The first occurrence of `target` (Character-wise), without Foundation.
    func dslRange(of target: String) -> Range<Substring.Index>? {
        let t = Array(target)
        guard !t.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            var j = i, k = 0
            while k < t.count, j < endIndex, self[j] == t[k] { j = index(after: j); k += 1 }
            if k == t.count { return i..<j }
            i = index(after: i)
        }
        return nil
    }
}
