import Foundation
import Index
import JSON
import Node
import Testing

@Suite struct DeletedIndexTests {
    /// A refresh that reaches an index deleted in the meantime (a `_bulk?refresh=wait_for` racing
    /// a DELETE; found by the HTTP fuzzer) is index_not_found, not a 500 about a missing file.
    @Test func refreshOfADeletedIndexIsNotFound() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("gone")
        _ = await svc.write([try indexOp("1", #"{"a":1}"#)])
        _ = try node.deleteIndices("gone")
        do {
            try await svc.refresh()
            Issue.record("refresh of a deleted index succeeded")
        } catch {
            #expect(error.type == "index_not_found_exception")
            #expect(error.status == 404)
        }
    }
}
