import JSON
import Testing
@testable import RESTAPI

/// The export's byte-level cell writer must produce exactly what the string path produces:
/// quoting, doubled quotes, formula neutralising, any delimiter.
@Suite struct CSVWriterTests {
    static let values: [JSONValue?] = [
        nil, .null, .string(""), .string("plain"), .string("a,b"), .string("say \"hi\""), .string("line\nbreak"),
        .string("=SUM(A1)"), .string("+1"), .string("-x"), .string("@cmd"), .string("\tTab"), .string("'quoted"),
        .string("ünïcødé ✓"), .string("=\"x\",y"), .bool(true), .bool(false), .int(-42), .int(7), .double(3.25), .double(-0.5),
        .array([.string("a"), .string("=b")]), .object(JSONObject([("k", .string("v"))])),
    ]

    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "'"), UInt8(ascii: "-")])
    func bytePathMatchesStringPath(delimiter: UInt8) {
        var csv = CSVWriter()
        csv.delimiter = delimiter
        for v in Self.values {
            var fast: [UInt8] = [], slow: [UInt8] = []
            csv.write(v, into: &fast)
            csv.cell(csv.text(v), into: &slow)
            #expect(fast == slow, "\(String(describing: v)) with delimiter \(delimiter)")
        }
    }

    @Test func formulaCellsGetAQuote() {
        var out: [UInt8] = []
        CSVWriter().write(.string("=HYPERLINK(\"x\")"), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"'=HYPERLINK(\"\"x\"\")\"")
    }
}
