import Index
import JSON
@testable import Query

func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

/// Parses a query from JSON text.
func query(_ text: String) throws -> Query { try Query.parse(try json(text)) }

/// The error a query body produces, or nil if it parses.
func queryError(_ text: String) throws -> OpenSearchError? {
    let body = try json(text)
    do throws(OpenSearchError) { _ = try Query.parse(body); return nil } catch { return error }
}

/// Epoch millis of an ISO-8601 instant (`2024-01-15T00:00:00Z`).
func utc(_ iso: String) -> Int64 { DateFormat.defaultDate.parse(iso)! }

func parseMapping(_ text: String) throws -> Mapping { try Mapping.parse(try json(text)) }

func parseDoc(_ text: String, _ m: Mapping) throws -> ParsedDocument {
    try DocumentParser.parse(try json(text), mapping: m, id: "1")
}

/// A small index: mapped documents by id, with an evaluator over their statistics.
struct Corpus {
    let mapping: Mapping
    let docs: [(id: String, doc: ParsedDocument)]
    let evaluator: ReferenceEvaluator
    let now: Int64

    init(mapping mappingText: String, docs sources: [(String, String)], now: Int64 = utc("2024-03-15T10:20:30.123Z")) throws {
        var m = try parseMapping(mappingText)
        var out: [(id: String, doc: ParsedDocument)] = []
        for (id, source) in sources {
            let d = try DocumentParser.parse(try json(source), mapping: m, id: id)
            if let updated = d.updatedMapping { m = updated }
            out.append((id, d))
        }
        self.mapping = m
        self.docs = out
        self.evaluator = ReferenceEvaluator(statistics: CorpusStatistics(documents: out))
        self.now = now
    }

    /// Ids of matching documents, in corpus order.
    func hits(_ q: Query) -> [String] {
        docs.filter { evaluator.matches(q, id: $0.id, doc: $0.doc, mapping: mapping, now: now) }.map(\.id)
    }

    func hits(_ queryJSON: String) throws -> [String] { hits(try query(queryJSON)) }

    func score(_ q: Query, _ id: String) -> Double {
        let d = docs.first { $0.id == id }!
        return evaluator.score(q, id: id, doc: d.doc, mapping: mapping, now: now)
    }

    func error(_ queryJSON: String) throws -> OpenSearchError? {
        let q = try query(queryJSON)
        for d in docs {
            do throws(OpenSearchError) { _ = try evaluator.evaluate(q, id: d.id, doc: d.doc, mapping: mapping, now: now) } catch { return error }
        }
        return nil
    }
}
