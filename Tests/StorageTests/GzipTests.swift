import Testing
@testable import Storage

@Suite struct GzipTests {
    @Test(arguments: [0, 1, 100, 65_535, 65_536, 65_537, 1_000_000])
    func randomDataRoundTrips(size: Int) throws {
        let input = randomBytes(size, seed: UInt64(size) &+ 11)
        let z = try Gzip.compress(input)
        #expect(z.count >= 18)                    // gzip header + trailer
        #expect(z[0] == 0x1F && z[1] == 0x8B)     // gzip magic
        #expect(try Gzip.decompress(z, limit: size) == input)
    }

    @Test func compressibleDataShrinksAndRoundTrips() throws {
        let text = Array(String(repeating: #"{"index":{"_id":"1"}}\n{"field":"value value value"}\n"#, count: 20_000).utf8)
        let z = try Gzip.compress(text)
        #expect(z.count < text.count / 10)
        #expect(try Gzip.decompress(z, limit: text.count) == text)
    }

    @Test func limitIsEnforcedExactly() throws {
        let input = randomBytes(1000, seed: 1)
        let z = try Gzip.compress(input)
        #expect(try Gzip.decompress(z, limit: 1000) == input)
        #expect(try Gzip.decompress(z, limit: 5000) == input)
        do throws(StorageError) {
            _ = try Gzip.decompress(z, limit: 999)
            Issue.record("output above the limit was accepted")
        } catch {
            #expect(error.code == .compression)
            #expect(error.message.contains("exceeds 999 bytes"))
        }
        #expect(throws: StorageError.self) { try Gzip.decompress(z, limit: 0) }
        #expect(try Gzip.decompress(try Gzip.compress([]), limit: 0) == [])
    }

    @Test func decompressionBombIsStoppedAtTheLimit() throws {
        let zeros = [UInt8](repeating: 0, count: 50_000_000)
        let z = try Gzip.compress(zeros)
        #expect(z.count < 500_000)
        let e = try #require(throws: StorageError.self) { try Gzip.decompress(z, limit: 1_000_000) }
        #expect(e.code == .compression)
        #expect(e.message.contains("exceeds"))
    }

    @Test(arguments: [
        [],
        [0x00],
        Array("not compressed at all".utf8),
        [0x1F, 0x8B],                                   // bare magic
        [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF],  // header only
    ] as [[UInt8]])
    func garbageIsAnError(input: [UInt8]) throws {
        let e = try #require(throws: StorageError.self) { try Gzip.decompress(input, limit: 1 << 20) }
        #expect(e.code == .compression)
    }

    @Test func randomGarbageNeverSucceedsOrCrashes() throws {
        for seed in 0..<200 as Range<UInt64> {
            let junk = randomBytes(Int(seed % 97) + 1, seed: seed)
            #expect(throws: StorageError.self) { try Gzip.decompress(junk, limit: 1 << 16) }
        }
    }

    @Test func truncatedStreamIsAnError() throws {
        let input = randomBytes(10_000, seed: 9)
        let z = try Gzip.compress(input)
        for cut in [1, 4, 8, z.count / 2, z.count - 10] {
            #expect(throws: StorageError.self, "cut \(cut)") { try Gzip.decompress(Array(z.dropLast(cut)), limit: 1 << 20) }
        }
    }

    @Test func corruptedChecksumIsAnError() throws {
        var z = try Gzip.compress(Array("hello hello hello".utf8))
        z[z.count - 6] ^= 0xFF   // inside the CRC32 trailer
        #expect(throws: StorageError.self) { try Gzip.decompress(z, limit: 1 << 20) }
    }

    @Test func concatenatedMembersAreJoined() throws {
        let a = Array("first part,".utf8), b = Array("second part".utf8)
        let z = try Gzip.compress(a) + Gzip.compress(b)
        #expect(try Gzip.decompress(z, limit: 100) == a + b)
        // The limit applies to the total.
        #expect(throws: StorageError.self) { try Gzip.decompress(z, limit: a.count + b.count - 1) }
    }

    @Test func zlibWrappedDeflateIsAccepted() throws {
        // "hello" compressed with zlib (RFC 1950) defaults.
        let zlib: [UInt8] = [0x78, 0x9C, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x06, 0x2C, 0x02, 0x15]
        #expect(try Gzip.decompress(zlib, limit: 100) == Array("hello".utf8))
    }
}
