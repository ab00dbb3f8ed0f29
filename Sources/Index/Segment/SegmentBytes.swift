import Storage
/// Little-endian primitives shared by the segment writers (`SegmentBuffer`) and readers
/// (`UnsafeRawPointer` extensions, `SegmentCursor`). All multi-byte integers in a segment file are
/// little-endian; bit-packed arrays are `PackedInts` / `BlockedInts`; LEB128 varints are used
/// only inside postings, dictionaries and `_source` blocks.

/// An append-only byte buffer with the encoders every segment section uses.
struct SegmentBuffer {
    var bytes: [UInt8] = []

    var count: Int { bytes.count }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }

    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }

    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }

    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }

    mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    mutating func append<C: Collection>(contentsOf b: C) where C.Element == UInt8 { bytes.append(contentsOf: b) }

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Pads with zeros to the next multiple of 8.
    mutating func align() {
        while bytes.count & 7 != 0 { bytes.append(0) }
    }

    /// Overwrites a previously written UInt64 (used to patch offsets into headers).
    mutating func patch(_ v: UInt64, at position: Int) {
        withUnsafeBytes(of: v.littleEndian) { src in
            for i in 0..<8 { bytes[position + i] = src[i] }
        }
    }

    /// A bitset of `bitCount` bits as little-endian UInt64 words.
    mutating func bitset(_ words: [UInt64]) {
        for w in words { u64(w) }
    }
}

extension UnsafeRawPointer {
    @inlinable @inline(__always) func u8(_ offset: Int) -> UInt8 { load(fromByteOffset: offset, as: UInt8.self) }
    @inlinable @inline(__always) func u16(_ offset: Int) -> UInt16 { UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
    @inlinable @inline(__always) func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    @inlinable @inline(__always) func u64(_ offset: Int) -> UInt64 { UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    @inlinable @inline(__always) func i64(_ offset: Int) -> Int64 { Int64(bitPattern: u64(offset)) }

    /// Reads a LEB128 varint at `offset`, advancing it.
    @inlinable @inline(__always) func varint(_ offset: inout Int) -> UInt64 {
        var b = u8(offset)
        offset &+= 1
        if b < 0x80 { return UInt64(b) }
        var v = UInt64(b & 0x7F)
        var shift: UInt64 = 7
        repeat {
            b = u8(offset)
            offset &+= 1
            v |= UInt64(b & 0x7F) &<< shift
            shift &+= 7
        } while b >= 0x80 && shift < 64
        return v
    }

    @inlinable @inline(__always) func bit(_ i: Int) -> Bool {
        u64((i >> 6) << 3) & (1 &<< UInt64(i & 63)) != 0
    }
}

/// Bits of a bitset with `bitCount` bits, as words.
@inlinable @inline(__always)
func bitsetWordCount(_ bitCount: Int) -> Int { (bitCount + 63) >> 6 }

/// Bounds-checked reads used while validating a file at open time, before the unchecked hot paths
/// trust its offsets.
struct SegmentCursor {
    let base: UnsafeRawPointer
    let start: Int
    let end: Int
    let what: String

    func check(_ offset: Int, _ length: Int) throws(StorageError) {
        guard offset >= 0, length >= 0, offset <= end - start, length <= end - start - offset else {
            throw StorageError(.corrupt, "segment section \(what) out of bounds (offset \(offset), length \(length))")
        }
    }

    func u64(_ offset: Int) throws(StorageError) -> UInt64 {
        try check(offset, 8)
        return base.u64(start + offset)
    }

    func int(_ offset: Int) throws(StorageError) -> Int {
        let v = try u64(offset)
        guard v <= UInt64(Int.max) else { throw StorageError(.corrupt, "segment section \(what): value out of range") }
        return Int(v)
    }

    func i64(_ offset: Int) throws(StorageError) -> Int64 { Int64(bitPattern: try u64(offset)) }

    func u8(_ offset: Int) throws(StorageError) -> UInt8 {
        try check(offset, 1)
        return base.u8(start + offset)
    }

    /// A pointer to `length` bytes at `offset`, checked to lie in the section.
    func pointer(_ offset: Int, _ length: Int) throws(StorageError) -> UnsafeRawPointer {
        try check(offset, length)
        return base + (start + offset)
    }

    /// A `PackedInts` width byte: 0…57 or 64.
    func bits(_ offset: Int) throws(StorageError) -> Int {
        let w = Int(try u8(offset))
        guard PackedInts.isValidWidth(w) else { throw StorageError(.corrupt, "segment section \(what): bad integer width \(w)") }
        return w
    }

    /// A `PackedInts` of `count` values of `bits` bits at `offset`, checked to lie in the section.
    func packedInts(_ offset: Int, count: Int, bits: Int) throws(StorageError) -> PackedInts {
        PackedInts(base: try pointer(offset, PackedInts.byteCount(count, bits: bits)), bits: bits)
    }

    func fail(_ message: String) -> StorageError { StorageError(.corrupt, "segment section \(what): \(message)") }
}
