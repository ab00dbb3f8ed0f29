import JSON
@testable import Index

/// SplitMix64: a small seedable generator so randomised tests are reproducible.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

func mapping(_ text: String) throws -> Mapping { try Mapping.parse(try json(text)) }

func parseDoc(_ text: String, _ m: Mapping = Mapping(), id: String? = "1", limit: Int = DocumentParser.defaultTotalFieldsLimit) throws -> ParsedDocument {
    try DocumentParser.parse(try json(text), mapping: m, id: id, totalFieldsLimit: limit)
}

/// The OpenSearchError a document produces, or nil if it parses.
func docError(_ text: String, _ m: Mapping = Mapping(), id: String? = "1", limit: Int = DocumentParser.defaultTotalFieldsLimit) throws -> OpenSearchError? {
    let source = try json(text)
    do throws(OpenSearchError) {
        _ = try DocumentParser.parse(source, mapping: m, id: id, totalFieldsLimit: limit)
        return nil
    } catch { return error }
}

func mappingError(_ text: String) throws -> OpenSearchError? {
    let body = try json(text)
    do throws(OpenSearchError) { _ = try Mapping.parse(body); return nil } catch { return error }
}

func formatError(_ pattern: String) -> OpenSearchError? {
    do throws(OpenSearchError) { _ = try DateFormat(pattern); return nil } catch { return error }
}
