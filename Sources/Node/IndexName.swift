import Index
import JSON

/// OpenSearch's rules for index (and alias) names.
public enum IndexName {
    static let invalidChars: [Character] = ["\\", "/", "*", "?", "\"", "<", ">", "|", " ", ","]

    public static func validate(_ name: String) throws(OpenSearchError) {
        func fail(_ why: String) -> OpenSearchError {
            OpenSearchError("invalid_index_name_exception", "Invalid index name [\(name)], \(why)", status: 400,
                            metadata: JSONObject([("index_uuid", "_na_"), ("index", .string(name))]))
        }
        if name.isEmpty { throw fail("must not be empty") }
        if name.contains(where: { invalidChars.contains($0) }) {
            throw fail("must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]")
        }
        if name.contains("#") { throw fail("must not contain '#'") }
        if name.contains(":") { throw fail("must not contain ':'") }
        if name.hasPrefix("_") || name.hasPrefix("-") || name.hasPrefix("+") { throw fail("must not start with '_', '-', or '+'") }
        if name.lowercased() != name { throw fail("must be lowercase") }
        if name == "." || name == ".." { throw fail("must not be '.' or '..'") }
        if name.utf8.count > 255 { throw fail("index name is too long, (\(name.utf8.count) > 255)") }
    }
}
