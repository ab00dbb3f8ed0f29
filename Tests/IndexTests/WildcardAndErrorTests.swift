import Testing
import JSON
@testable import Index

@Suite struct WildcardTests {
    @Test(arguments: [
        ("*", "", true), ("*", "anything", true), ("", "", true), ("", "a", false), ("a", "", false),
        ("abc", "abc", true), ("abc", "abd", false), ("abc", "ab", false), ("ab", "abc", false),
        ("a*", "a", true), ("a*", "abc", true), ("a*", "ba", false),
        ("*c", "abc", true), ("*c", "c", true), ("*c", "cb", false),
        ("a*c", "ac", true), ("a*c", "abbbc", true), ("a*c", "abcd", false), ("a*c", "acbc", true),
        ("*a*b*", "xaxbx", true), ("*a*b*", "ba", false), ("**", "x", true), ("a**b", "ab", true),
        ("log-*", "log-2024.01", true), ("log-*", "logs", false), ("*-2024*", "log-2024.01", true),
        ("Logs*", "logs-1", false),  // case-sensitive
        ("*ab", "aab", true), ("*aab", "aaab", true), ("a*a*a", "aaa", true), ("a*a*a", "aa", false),
        ("é*", "été", true), ("*😀", "x😀", true),
    ])
    func table(pattern: String, text: String, expected: Bool) {
        #expect(Wildcard.matches(pattern, text) == expected, "\(pattern) vs \(text)")
    }

    /// Straightforward recursive reference for `*`-only patterns.
    static func reference(_ p: Substring, _ t: Substring) -> Bool {
        guard let c = p.first else { return t.isEmpty }
        if c == "*" {
            var rest = t
            while true {
                if reference(p.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        }
        guard let tc = t.first, tc == c else { return false }
        return reference(p.dropFirst(), t.dropFirst())
    }

    @Test func agreesWithReferenceOnRandomInputs() {
        var rng = SeededRNG(seed: 31337)
        let patternAlphabet: [Character] = ["a", "b", "*"]
        let textAlphabet: [Character] = ["a", "b"]
        var matched = 0
        for _ in 0..<3000 {
            let p = String((0..<Int.random(in: 0...7, using: &rng)).map { _ in patternAlphabet.randomElement(using: &rng)! })
            let t = String((0..<Int.random(in: 0...9, using: &rng)).map { _ in textAlphabet.randomElement(using: &rng)! })
            let expected = Self.reference(p[...], t[...])
            if expected { matched += 1 }
            #expect(Wildcard.matches(p, t) == expected, "\(p) vs \(t)")
        }
        #expect(matched > 100)
    }

    @Test
    func questionMarkIsLiteral() {
        #expect(!Wildcard.matches("a?c", "abc"))
        #expect(Wildcard.matches("a?c", "a?c"))
    }
}

@Suite struct OpenSearchErrorTests {
    @Test func indexNotFoundResponseShape() throws {
        let e = OpenSearchError.indexNotFound("missing")
        #expect(e.status == 404)
        #expect(e.type == "index_not_found_exception")
        let meta = #""index":"missing","resource.id":"missing","resource.type":"index_or_alias","index_uuid":"_na_""#
        let inner = #""type":"index_not_found_exception","reason":"no such index [missing]","# + meta
        #expect(JSONWriter.string(e.response) == #"{"error":{"root_cause":[{"# + inner + #"}],"# + inner + #"},"status":404}"#)
        #expect(e.description == "index_not_found_exception: no such index [missing]")
    }

    @Test func causedByAppearsInBodyButNotRootCause() throws {
        let cause = OpenSearchError("number_format_exception", "For input string: \"x\"", status: 400)
        let e = OpenSearchError.mapperParsing("failed to parse field [n]", cause: cause)
        let r = e.response
        #expect(r["status"] == .int(400))
        let error = try #require(r["error"]?.objectValue)
        #expect(error.keys == ["root_cause", "type", "reason", "caused_by"])
        #expect(error["type"] == .string("mapper_parsing_exception"))
        #expect(error["caused_by"] == ["type": "number_format_exception", "reason": "For input string: \"x\""])
        let roots = try #require(error["root_cause"]?.arrayValue)
        #expect(roots.count == 1)
        #expect(roots[0] == ["type": "mapper_parsing_exception", "reason": "failed to parse field [n]"])
        #expect(e.body == ["type": "mapper_parsing_exception", "reason": "failed to parse field [n]",
                           "caused_by": ["type": "number_format_exception", "reason": "For input string: \"x\""]])
    }

    @Test func nestedCausesNest() throws {
        let inner = OpenSearchError("a", "inner", status: 400)
        let mid = OpenSearchError("b", "mid", status: 400, causedBy: inner)
        let outer = OpenSearchError("c", "outer", status: 500, causedBy: mid)
        #expect(outer.body["caused_by"]?["caused_by"]?["type"] == .string("a"))
        #expect(outer.response["status"] == .int(500))
    }

    @Test func withAddsMetadataEverywhere() throws {
        let e = OpenSearchError.illegalArgument("bad").with("index", "idx").with("shard", "0")
        #expect(e.metadata.keys == ["index", "shard"])
        #expect(e.body == ["type": "illegal_argument_exception", "reason": "bad", "index": "idx", "shard": "0"])
        #expect(e.fullBody["root_cause"]?.arrayValue?.first?["index"] == .string("idx"))
        #expect(OpenSearchError.illegalArgument("bad").metadata.isEmpty)
    }

    @Test(arguments: [
        (OpenSearchError.illegalArgument("r"), "illegal_argument_exception", 400),
        (OpenSearchError.parsing("r"), "parsing_exception", 400),
        (OpenSearchError.mapperParsing("r"), "mapper_parsing_exception", 400),
        (OpenSearchError.jsonParse(JSONError("boom", offset: 3)), "json_parse_exception", 400),
        (OpenSearchError.actionValidation(["x"]), "action_request_validation_exception", 400),
        (OpenSearchError.indexNotFound("i"), "index_not_found_exception", 404),
    ])
    func factoryTypesAndStatus(error: OpenSearchError, type: String, status: Int) {
        #expect(error.type == type)
        #expect(error.status == status)
        #expect(error.response["error"]?["type"] == .string(type))
        #expect(error.response["status"] == .int(Int64(status)))
    }

    @Test func reasons() {
        #expect(OpenSearchError.jsonParse(JSONError("boom", offset: 3)).reason == "boom at position 3")
        #expect(OpenSearchError.actionValidation(["index is missing", "id is missing"]).reason ==
                "Validation Failed: 1: index is missing; 2: id is missing;")
    }

    @Test func responseRoundTripsThroughJSON() throws {
        let e = OpenSearchError.mapperParsing("m \"quoted\"\n", cause: .illegalArgument("c")).with("index", "i")
        let text = JSONWriter.string(e.response)
        #expect(try JSONParser.parse(text) == e.response)
    }
}
