import Storage
import CZlib

/// Constants of the segment file format (specified on `SegmentWriter`).
enum SegmentLayout {
    static let magic = Array("SLSEG001".utf8)
    static let endMagic = Array("SLSEGEND".utf8)
    static let version: UInt32 = 2
    static let headerSize = 24
    static let tailSize = 24

    enum Kind {
        static let numeric: UInt8 = 1, keyword: UInt8 = 2, text: UInt8 = 3
        static let source: UInt8 = 16, id: UInt8 = 17, seqNo: UInt8 = 18, version: UInt8 = 19
        static let primaryTerm: UInt8 = 20, routing: UInt8 = 21
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 { CRC32.checksum(bytes) }

    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 { CRC32.checksum(bytes) }
}
