/// Auto-generated document ids: 20 URL-safe base64 characters from 15 random bytes, the same
/// length and alphabet OpenSearch uses.
enum DocumentID {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func generate<R: RandomNumberGenerator>(using rng: inout R) -> String {
        var out = [UInt8]()
        out.reserveCapacity(20)
        for _ in 0..<5 {
            let v = UInt32.random(in: 0..<(1 << 24), using: &rng)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A fast generator seeded from the system once per thread: ids need uniqueness, not secrecy,
    /// and one `getrandom` syscall per id showed up in ingest profiles.
    static func generate() -> String {
        SplitMix64.threadLocal.withLock { generate(using: &$0) }
    }

    /// OpenSearch's id limit: at most 512 bytes.
    static func validate(_ id: String) -> String? {
        if id.utf8.count > 512 { return "id [\(id)] is too long, must be no longer than 512 bytes but was: \(id.utf8.count)" }
        if id.isEmpty { return "if _id is specified it must not be empty" }
        return nil
    }
}

import Synchronization

/// SplitMix64: a tiny, fast, well-distributed PRNG.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init() {
        var g = SystemRandomNumberGenerator()
        state = g.next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Shared generator; writes already serialise per index, so contention is negligible.
    static let threadLocal = Mutex(SplitMix64())
}
