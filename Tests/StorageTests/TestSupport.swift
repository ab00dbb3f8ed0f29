import Foundation
import Storage

/// A fresh directory under the system temp dir, removed when `body` returns (or throws).
func withTempDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("searchlight-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

func withTempDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("searchlight-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// SplitMix64 for reproducible random payloads.
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

func randomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
    var rng = SeededRNG(seed: seed)
    return (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

func record(_ name: String, uuid: String? = nil, created: Int64 = 1_700_000_000_000,
            settings: String = #"{"number_of_shards":"1"}"#, mappings: String = "{}") -> Catalog.IndexRecord {
    Catalog.IndexRecord(name: name, uuid: uuid ?? "uuid-\(name)", createdMillis: created, settings: settings, mappings: mappings)
}

func entry(_ uuid: String, _ id: String, seq: Int64, op: TranslogEntry.Operation = .index, source: String = #"{"f":1}"#,
           routing: String? = nil) -> TranslogEntry {
    TranslogEntry(indexUUID: uuid, op: op, id: id, seqNo: seq, version: seq + 1, primaryTerm: 1,
                  source: op == .delete ? [] : Array(source.utf8), routing: routing)
}

func allEntries(_ c: Catalog) throws -> [TranslogEntry] {
    var out: [TranslogEntry] = []
    try c.replay { out.append($0) }
    return out
}
