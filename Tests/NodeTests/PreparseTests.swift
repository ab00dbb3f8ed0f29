import Foundation
import Index
import JSON
import Node
import Query
import Testing

/// Batches are mapped before they reach the write queue; the result must be what mapping them
/// one by one in the queue gives, including when a document in the middle of a batch adds a
/// field by dynamic mapping and a later one conflicts with it.
@Suite struct PreparseTests {
    func count(_ svc: IndexService, _ q: String) async throws -> Int {
        try await SearchExecutor.count([svc.snapshot()], try Query.parse(try JSONParser.parse(q)))
    }

    @Test func dynamicMappingInTheMiddleOfABatchAppliesToLaterDocuments() async throws {
        let dir = TempDir()
        let node = try Node(dataPath: dir.path)
        let svc = try node.writeIndex("pre")
        // Settle "a" as long first, so the batch's first documents map without an update.
        _ = await svc.write([try indexOp("seed", #"{"a":1}"#)])
        var ops: [WriteOperation] = []
        for i in 0..<40 {
            switch i {
            case 20: ops.append(try indexOp("d\(i)", #"{"a":\#(i),"b":7}"#))          // adds b: long
            case 25: ops.append(try indexOp("d\(i)", #"{"a":\#(i),"b":"seven"}"#))    // conflicts with it
            case 30: ops.append(try indexOp("d\(i)", #"{"a":"not a number"}"#))       // conflicts with a
            default: ops.append(try indexOp("d\(i)", #"{"a":\#(i)}"#))
            }
        }
        let results = await svc.write(ops)
        for (i, r) in results.enumerated() {
            switch r {
            case .success: #expect(i != 25 && i != 30, "document \(i) should have failed")
            case .failure(let e):
                #expect(i == 25 || i == 30, "document \(i) failed: \(e.reason)")
                #expect(e.type == "mapper_parsing_exception")
            }
        }
        #expect(svc.mapping.json["properties"]?["b"]?["type"]?.stringValue == "long")
        try await svc.refresh()
        #expect(try await count(svc, #"{"range":{"a":{"gte":0}}}"#) == 39)
        #expect(try await count(svc, #"{"term":{"b":7}}"#) == 1)
        #expect(try await count(svc, #"{"range":{"a":{"gte":10,"lt":20}}}"#) == 10)
    }
}
