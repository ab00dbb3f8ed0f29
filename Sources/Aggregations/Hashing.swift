/// The hash functions OpenSearch aggregations use, so that cardinality sketches built from
/// different segments agree and `include` partitions put the same terms in the same partition.
enum Hashing {
    /// HPPC's `BitMixer.mix64`: OpenSearch hashes longs (and double bits) with it.
    @inline(__always)
    static func mix64(_ v: Int64) -> UInt64 {
        var x = UInt64(bitPattern: v)
        x = (x ^ (x >> 32)) &* 0x4cd6_944c_5cc2_0b6d
        x = (x ^ (x >> 29)) &* 0xfc12_c5b1_9d32_59e9
        return x ^ (x >> 32)
    }

    @inline(__always) static func rotl64(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) static func rotl32(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }

    @inline(__always) static func fmix64(_ k0: UInt64) -> UInt64 {
        var k = k0
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    /// MurmurHash3 x64 128-bit, first half (`h1`), seed 0: OpenSearch's hash of bytes for
    /// cardinality.
    static func murmur3_64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5, c2: UInt64 = 0x4cf5_ad43_2745_937f
        var h1: UInt64 = 0, h2: UInt64 = 0
        let n = bytes.count
        let blocks = n / 16
        for i in 0..<blocks {
            var k1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 16, as: UInt64.self))
            var k2 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 16 + 8, as: UInt64.self))
            k1 = k1 &* c1; k1 = rotl64(k1, 31); k1 = k1 &* c2; h1 ^= k1
            h1 = rotl64(h1, 27); h1 = h1 &+ h2; h1 = h1 &* 5 &+ 0x52dc_e729
            k2 = k2 &* c2; k2 = rotl64(k2, 33); k2 = k2 &* c1; h2 ^= k2
            h2 = rotl64(h2, 31); h2 = h2 &+ h1; h2 = h2 &* 5 &+ 0x3849_5ab5
        }
        let tail = blocks * 16
        var k1: UInt64 = 0, k2: UInt64 = 0
        let rem = n & 15
        if rem > 8 {
            for i in stride(from: rem - 1, through: 8, by: -1) { k2 ^= UInt64(bytes[tail + i]) << UInt64((i - 8) * 8) }
            k2 = k2 &* c2; k2 = rotl64(k2, 33); k2 = k2 &* c1; h2 ^= k2
        }
        if rem > 0 {
            for i in stride(from: min(rem, 8) - 1, through: 0, by: -1) { k1 ^= UInt64(bytes[tail + i]) << UInt64(i * 8) }
            k1 = k1 &* c1; k1 = rotl64(k1, 31); k1 = k1 &* c2; h1 ^= k1
        }
        h1 ^= UInt64(n); h2 ^= UInt64(n)
        h1 = h1 &+ h2; h2 = h2 &+ h1
        h1 = fmix64(h1); h2 = fmix64(h2)
        h1 = h1 &+ h2
        return h1
    }

    static func murmur3_64(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { murmur3_64($0) } }

    static func murmur3_64(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { murmur3_64(UnsafeRawBufferPointer($0)) }
    }

    /// Lucene's `StringHelper.murmurhash3_x86_32`; `include` partitions use seed 31.
    static func murmur3_32(_ bytes: [UInt8], seed: UInt32) -> Int32 {
        let c1: UInt32 = 0xcc9e_2d51, c2: UInt32 = 0x1b87_3593
        var h1 = seed
        let n = bytes.count
        let rounded = n & ~3
        var i = 0
        while i < rounded {
            var k1 = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            k1 = k1 &* c1; k1 = rotl32(k1, 15); k1 = k1 &* c2
            h1 ^= k1; h1 = rotl32(h1, 13); h1 = h1 &* 5 &+ 0xe654_6b64
            i += 4
        }
        var k1: UInt32 = 0
        switch n & 3 {
        case 3:
            k1 = UInt32(bytes[rounded + 2]) << 16
            fallthrough
        case 2:
            k1 |= UInt32(bytes[rounded + 1]) << 8
            fallthrough
        case 1:
            k1 |= UInt32(bytes[rounded])
            k1 = k1 &* c1; k1 = rotl32(k1, 15); k1 = k1 &* c2; h1 ^= k1
        default: break
        }
        h1 ^= UInt32(n)
        h1 ^= h1 >> 16; h1 = h1 &* 0x85eb_ca6b
        h1 ^= h1 >> 13; h1 = h1 &* 0xc2b2_ae35
        h1 ^= h1 >> 16
        return Int32(bitPattern: h1)
    }

    /// Java's `Math.floorMod`.
    static func floorMod(_ a: Int64, _ n: Int64) -> Int64 {
        let r = a % n
        return r != 0 && (r < 0) != (n < 0) ? r + n : r
    }
}
