import JSON

/// RFC 4180 CSV: cells quoted when they hold the delimiter, a quote, CR or LF (quotes doubled),
/// rows ended by CRLF. Text cells starting with `=`, `+`, `-`, `@` (or a tab or CR) get a leading
/// `'` so spreadsheets don't run them as formulas (OWASP's CSV-injection advice). Arrays are
/// joined with `arraySeparator`; objects are written as JSON.
struct CSVWriter: Sendable {
    var delimiter: UInt8 = 0x2C
    var arraySeparator = ";"

    func row(_ cells: [String], into out: inout [UInt8]) {
        for (i, c) in cells.enumerated() {
            if i > 0 { out.append(delimiter) }
            cell(c, into: &out)
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    func cell(_ text: String, into out: inout [UInt8]) {
        let bytes = Array(text.utf8)
        let needsQuotes = bytes.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if needsQuotes { out.append(0x22) }
        for b in bytes {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        if needsQuotes { out.append(0x22) }
    }

    /// Appends `v` as one cell, the same text as `cell(text(v))` but without building strings
    /// for the common scalar cases (the export's per-cell path).
    func write(_ v: JSONValue?, into out: inout [UInt8]) {
        guard let v else { return }
        switch v {
        case .null: return
        case .string(var s):
            s.withUTF8 { writeBytes($0, neutralise: true, into: &out) }
        case .bool(let b): out.append(contentsOf: b ? Self.trueBytes : Self.falseBytes)
        case .array, .object: cell(text(v), into: &out)
        default:
            let bytes = JSONWriter.serialize(v)
            bytes.withUnsafeBufferPointer { writeBytes($0, neutralise: false, into: &out) }
        }
    }

    static let trueBytes = Array("true".utf8), falseBytes = Array("false".utf8)

    /// Quotes when needed, doubles quotes, and prefixes `'` to formula-like text.
    private func writeBytes(_ b: UnsafeBufferPointer<UInt8>, neutralise: Bool, into out: inout [UInt8]) {
        let formula: Bool
        if neutralise, let f = b.first {
            switch f {
            case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: formula = true
            default: formula = false
            }
        } else {
            formula = false
        }
        let d = delimiter
        var needsQuotes = false
        for c in b where c == d || c == 0x22 || c == 0x0A || c == 0x0D { needsQuotes = true; break }
        if formula && (d == UInt8(ascii: "'")) { needsQuotes = true }
        if !needsQuotes {
            if formula { out.append(UInt8(ascii: "'")) }
            out.append(contentsOf: b)
            return
        }
        out.append(0x22)
        if formula { out.append(UInt8(ascii: "'")) }
        for c in b {
            if c == 0x22 { out.append(0x22) }
            out.append(c)
        }
        out.append(0x22)
    }

    /// A value as a cell's text (formula-like text neutralised).
    func text(_ v: JSONValue?) -> String {
        guard let v else { return "" }
        switch v {
        case .null: return ""
        case .string(let s): return CSVWriter.neutralise(s)
        case .bool(let b): return b ? "true" : "false"
        case .array(let a): return a.map { text($0) }.joined(separator: arraySeparator)
        case .object: return CSVWriter.neutralise(JSONWriter.string(v))
        default: return JSONWriter.string(v)
        }
    }

    static func neutralise(_ s: String) -> String {
        guard let f = s.utf8.first else { return s }
        switch f {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return "'" + s
        default: return s
        }
    }

    /// The value at dotted `path` of a `_source` object (dotted keys and nested objects both).
    static func value(_ source: JSONValue, _ path: String) -> JSONValue? {
        if let direct = source[path] { return direct }
        guard case .object(let o) = source else { return nil }
        for (k, v) in o where path.hasPrefix(k + ".") {
            if let found = value(v, String(path.dropFirst(k.count + 1))) { return found }
        }
        if case .array(let a) = source {
            let vals = a.compactMap { value($0, path) }
            return vals.isEmpty ? nil : .array(vals)
        }
        return nil
    }
}
