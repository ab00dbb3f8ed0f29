import JSON
import Node
import Testing

/// `_bulk` responses are written by `WriteResult.write(into:status:)` without a JSON tree; they
/// must stay byte-identical to the tree (`json`) every other write API serialises.
@Suite struct WriteResultTests {
    @Test(arguments: [WriteResult.Result.created, .updated, .deleted, .notFound, .noop])
    func directWriterMatchesTheTree(result: WriteResult.Result) throws {
        let r = WriteResult(index: "request-events-2026.11.23", id: "id \"with\" quotes\n", version: 7, seqNo: 1_234_567_890_123,
                            primaryTerm: 1, result: result, shardsTotal: 2)
        var plain = JSONWriter()
        r.write(into: &plain, status: false)
        #expect(plain.bytes == JSONWriter.serialize(r.json))

        var withStatus = JSONWriter()
        r.write(into: &withStatus, status: true)
        guard case .object(var o) = r.json else { Issue.record("not an object"); return }
        o["status"] = .number(r.status)
        #expect(withStatus.bytes == JSONWriter.serialize(.object(o)))
        #expect(try JSONParser.parse(withStatus.bytes)["status"]?.int64Value == Int64(r.status))
    }
}
