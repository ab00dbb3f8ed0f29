/// Serialises `JSONValue`s to compact UTF-8 JSON bytes. Doubles that are whole print with `.0`
/// like Jackson does, so `1.0` stays a float for clients.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public static func serialize(_ v: JSONValue) -> [UInt8] {
        var w = JSONWriter()
        w.write(v)
        return w.bytes
    }

    public static func string(_ v: JSONValue) -> String {
        String(decoding: serialize(v), as: UTF8.self)
    }

    public mutating func write(_ v: JSONValue) {
        switch v {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .int(let i): writeInt(i)
        case .uint(let u): writeUInt(u)
        case .double(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(e)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for (k, e) in o {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                writeString(k)
                bytes.append(UInt8(ascii: ":"))
                write(e)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends already-serialised JSON (e.g. a stored `_source`) verbatim.
    public mutating func writeRaw(_ raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func writeDouble(_ d: Double) {
        if !d.isFinite { append("null"); return }
        if d == d.rounded() && abs(d) < 1e16 {
            if d == 0 && d.sign == .minus { append("-") }
            writeInt(Int64(d)); append(".0")
        } else {
            append("\(d)")
        }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` quoted and escaped. Runs of bytes that need no escaping are copied in one
    /// step: response and `_source` serialisation spend most of their time here.
    public mutating func writeString(_ s: String) {
        var s = s
        s.withUTF8 { u in writeString(utf8: u) }
    }

    /// `writeString` over UTF-8 bytes that are already valid.
    public mutating func writeString(utf8 u: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        let n = u.count
        while i < n {
            let b = u[i]
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") { i += 1; continue }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<i])) }
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(0x5C); bytes.append(b)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            default:
                append("\\u00")
                bytes.append(JSONWriter.hex[Int(b >> 4)])
                bytes.append(JSONWriter.hex[Int(b & 0xF)])
            }
            i += 1
            runStart = i
        }
        if runStart < n { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<n])) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends the decimal digits of `v` without building a `String`.
    public mutating func writeInt(_ v: Int64) {
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            writeUInt(UInt64(bitPattern: 0 &- v))  // two's complement magnitude, Int64.min included
        } else {
            writeUInt(UInt64(v))
        }
    }

    public mutating func writeUInt(_ v: UInt64) {
        if v < 10 { bytes.append(UInt8(ascii: "0") &+ UInt8(v)); return }
        // 20 digits hold UInt64.max.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var i = 20
            var x = v
            while x > 0 {
                i -= 1
                buf[i] = UInt8(ascii: "0") &+ UInt8(x % 10)
                x /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<20]))
        }
    }

    /// Appends a literal that needs no escaping (keys and punctuation known at compile time).
    public mutating func writeLiteral(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
}
