/// A byte-level JSON parser: no Foundation, no intermediate strings for numbers, strict RFC 8259
/// plus OpenSearch's rules (duplicate keys rejected, nesting depth bounded so hostile input cannot
/// exhaust the stack).
public struct JSONParser {
    public static let maxDepth = 1000

    /// Parses one complete JSON document; trailing non-whitespace is an error.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        if let r = try? bytes.withContiguousStorageIfAvailable({ buf throws(JSONError) in try parse(buffer: buf) }) {
            return r
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buf throws(JSONError) in try parse(buffer: buf) }
    }

    public static func parse(_ string: String) throws(JSONError) -> JSONValue {
        var s = string
        let r: Result<JSONValue, JSONError> = s.withUTF8 { buf in
            do throws(JSONError) { return .success(try parse(buffer: buf)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    public static func parse(buffer: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONValue {
        var p = JSONParser(buffer)
        p.skipWhitespace()
        if p.pos >= p.end { throw JSONError("No content to map due to end-of-input", offset: 0) }
        let v = try p.parseValue(depth: 0)
        p.skipWhitespace()
        if p.pos < p.end {
            throw JSONError("Unexpected character ('\(p.describe(p.buf[p.pos]))'): expected end of input", offset: p.pos)
        }
        return v
    }

    let buf: UnsafeBufferPointer<UInt8>
    var pos = 0
    let end: Int

    init(_ buf: UnsafeBufferPointer<UInt8>) {
        self.buf = buf
        self.end = buf.count
    }

    func describe(_ c: UInt8) -> String {
        if c >= 0x20 && c < 0x7F { return "\(Character(Unicode.Scalar(c))) (code \(c))" }
        return "(CTRL-CHAR, code \(c))"
    }

    mutating func skipWhitespace() {
        while pos < end {
            let c = buf[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { break }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard pos < end else { throw JSONError("Unexpected end-of-input: expected a value", offset: pos) }
        let c = buf[pos]
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default:
            throw JSONError("Unexpected character ('\(describe(c))'): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", offset: pos)
        }
    }

    mutating func expectLiteral(_ lit: StaticString) throws(JSONError) {
        let n = lit.utf8CodeUnitCount
        let p = lit.utf8Start
        guard pos + n <= end else { throw JSONError("Unrecognized token: was expecting '\(lit)'", offset: pos) }
        for i in 0..<n where buf[pos + i] != p[i] {
            throw JSONError("Unrecognized token: was expecting '\(lit)'", offset: pos)
        }
        pos += n
    }

    mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        if depth > JSONParser.maxDepth { throw JSONError("Document nesting depth exceeds the maximum allowed (\(JSONParser.maxDepth))", offset: pos) }
        pos += 1
        var obj = JSONObject()
        var seen: Set<String>? = nil
        skipWhitespace()
        if pos < end && buf[pos] == UInt8(ascii: "}") { pos += 1; return .object(obj) }
        while true {
            skipWhitespace()
            guard pos < end else { throw JSONError("Unexpected end-of-input: expected close marker for Object", offset: pos) }
            guard buf[pos] == UInt8(ascii: "\"") else {
                throw JSONError("Unexpected character ('\(describe(buf[pos]))'): was expecting double-quote to start field name", offset: pos)
            }
            let keyPos = pos
            let key = try parseString()
            // Duplicate detection: linear for small objects, a set once they grow.
            if obj.count < 16 {
                if obj.keys.contains(key) { throw JSONError("Duplicate field '\(key)'", offset: keyPos) }
            } else {
                if seen == nil { seen = Set(obj.keys) }
                if !seen!.insert(key).inserted { throw JSONError("Duplicate field '\(key)'", offset: keyPos) }
            }
            skipWhitespace()
            guard pos < end, buf[pos] == UInt8(ascii: ":") else {
                throw JSONError("Unexpected character: was expecting a colon to separate field name and value", offset: pos)
            }
            pos += 1
            skipWhitespace()
            let v = try parseValue(depth: depth)
            obj.appendUnchecked(key, v)
            if seen != nil && obj.count == 16 { seen!.insert(key) }
            skipWhitespace()
            guard pos < end else { throw JSONError("Unexpected end-of-input: expected close marker for Object", offset: pos) }
            let c = buf[pos]
            pos += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { return .object(obj) }
            throw JSONError("Unexpected character ('\(describe(c))'): was expecting comma to separate Object entries", offset: pos - 1)
        }
    }

    mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        if depth > JSONParser.maxDepth { throw JSONError("Document nesting depth exceeds the maximum allowed (\(JSONParser.maxDepth))", offset: pos) }
        pos += 1
        var arr: [JSONValue] = []
        skipWhitespace()
        if pos < end && buf[pos] == UInt8(ascii: "]") { pos += 1; return .array(arr) }
        while true {
            skipWhitespace()
            arr.append(try parseValue(depth: depth))
            skipWhitespace()
            guard pos < end else { throw JSONError("Unexpected end-of-input: expected close marker for Array", offset: pos) }
            let c = buf[pos]
            pos += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { return .array(arr) }
            throw JSONError("Unexpected character ('\(describe(c))'): was expecting comma to separate Array entries", offset: pos - 1)
        }
    }

    mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = pos
        var negative = false
        if buf[pos] == UInt8(ascii: "-") { negative = true; pos += 1 }
        guard pos < end, buf[pos] >= 0x30, buf[pos] <= 0x39 else {
            throw JSONError("Unexpected character: expected digit after '-'", offset: pos)
        }
        if buf[pos] == 0x30, pos + 1 < end, buf[pos + 1] >= 0x30, buf[pos + 1] <= 0x39 {
            throw JSONError("Invalid numeric value: Leading zeroes not allowed", offset: pos)
        }
        var mag: UInt64 = 0
        var overflow = false
        while pos < end, buf[pos] >= 0x30, buf[pos] <= 0x39 {
            let (m1, o1) = mag.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(buf[pos] - 0x30))
            if o1 || o2 { overflow = true }
            mag = m2
            pos += 1
        }
        var isFloat = false
        if pos < end, buf[pos] == UInt8(ascii: ".") {
            isFloat = true
            pos += 1
            guard pos < end, buf[pos] >= 0x30, buf[pos] <= 0x39 else {
                throw JSONError("Unexpected character: Decimal point not followed by a digit", offset: pos)
            }
            while pos < end, buf[pos] >= 0x30, buf[pos] <= 0x39 { pos += 1 }
        }
        if pos < end, buf[pos] == UInt8(ascii: "e") || buf[pos] == UInt8(ascii: "E") {
            isFloat = true
            pos += 1
            if pos < end, buf[pos] == UInt8(ascii: "+") || buf[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < end, buf[pos] >= 0x30, buf[pos] <= 0x39 else {
                throw JSONError("Unexpected character: Exponent indicator not followed by a digit", offset: pos)
            }
            while pos < end, buf[pos] >= 0x30, buf[pos] <= 0x39 { pos += 1 }
        }
        if !isFloat && !overflow {
            if negative {
                if mag <= UInt64(Int64.max) { return .int(-Int64(mag)) }
                if mag == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            } else if mag <= UInt64(Int64.max) {
                return .int(Int64(mag))
            } else {
                return .uint(mag)
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
        guard let d = Double(text) else { throw JSONError("Invalid numeric value", offset: start) }
        return .double(d)
    }

    mutating func parseString() throws(JSONError) -> String {
        pos += 1  // opening quote
        let start = pos
        // Fast path: no escapes.
        while pos < end {
            let c = buf[pos]
            if c == UInt8(ascii: "\"") {
                let s = try makeString(start, pos)
                pos += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw JSONError("Illegal unquoted character (\(describe(c))): has to be escaped using backslash to be included in string value", offset: pos) }
            pos += 1
        }
        var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: buf[start..<pos]))
        while pos < end {
            let c = buf[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw JSONError("Invalid UTF-8 in string", offset: start) }
                return s
            }
            if c < 0x20 { throw JSONError("Illegal unquoted character (\(describe(c))): has to be escaped using backslash to be included in string value", offset: pos) }
            if c != UInt8(ascii: "\\") { out.append(c); pos += 1; continue }
            pos += 1
            guard pos < end else { break }
            let e = buf[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // High surrogate: a low surrogate must follow.
                    if pos + 6 <= end, buf[pos] == UInt8(ascii: "\\"), buf[pos + 1] == UInt8(ascii: "u") {
                        pos += 2
                        let low = try readHex4()
                        guard low >= 0xDC00 && low < 0xE000 else { throw JSONError("Invalid surrogate pair", offset: pos) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        throw JSONError("Unpaired surrogate in string", offset: pos)
                    }
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw JSONError("Unpaired surrogate in string", offset: pos)
                }
                guard let u = Unicode.Scalar(scalar) else { throw JSONError("Invalid unicode escape", offset: pos) }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw JSONError("Unrecognized character escape '\(describe(e))'", offset: pos - 1)
            }
        }
        throw JSONError("Unexpected end-of-input: was expecting closing quote for a string value", offset: pos)
    }

    mutating func readHex4() throws(JSONError) -> UInt32 {
        guard pos + 4 <= end else { throw JSONError("Unexpected end-of-input in unicode escape", offset: pos) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = buf[pos]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw JSONError("Unexpected character ('\(describe(c))'): expected a hex-digit for character escape sequence", offset: pos)
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    func makeString(_ from: Int, _ to: Int) throws(JSONError) -> String {
        let slice = UnsafeBufferPointer(rebasing: buf[from..<to])
        // ASCII needs no validation work beyond the copy.
        var ascii = true
        for b in slice where b >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: slice, as: UTF8.self) }
        guard let s = String(validating: slice, as: UTF8.self) else { throw JSONError("Invalid UTF-8 middle byte in string", offset: from) }
        return s
    }
}
