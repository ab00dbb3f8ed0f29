import FuzzDriver
import JSON
@testable import RESTAPI

/// The first byte picks the delimiter, the rest is a JSON document whose values become one CSV
/// row. Checks: the fast per-cell path writes the same bytes as the string path, and the row reads
/// back (RFC 4180) as the cells' texts.
let delimiters: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C, 0x27]

runFuzzer { data in
    guard let first = data.first else { return }
    var csv = CSVWriter()
    csv.delimiter = delimiters[Int(first) % delimiters.count]
    let json = try JSONParser.parse(buffer: UnsafeRawBufferPointer(rebasing: data.dropFirst()).bindMemory(to: UInt8.self))
    let values: [JSONValue]
    switch json {
    case .object(let o): values = o.map { $0.1 }
    case .array(let a): values = a
    default: values = [json]
    }
    var texts: [String] = []
    for v in values {
        var fast: [UInt8] = []
        csv.write(v, into: &fast)
        var slow: [UInt8] = []
        let text = csv.text(v)
        csv.cell(text, into: &slow)
        precondition(fast == slow, "write and cell(text) differ for \(v): \(fast) vs \(slow)")
        texts.append(text)
    }
    if texts.isEmpty { return }
    var row: [UInt8] = []
    csv.row(texts, into: &row)
    let back = readRow(row, delimiter: csv.delimiter)
    precondition(back == texts.map { Array($0.utf8) }, "row does not read back: \(texts) -> \(back)")
}

/// One RFC 4180 record ending in CRLF, split into its cells' bytes.
func readRow(_ row: [UInt8], delimiter: UInt8) -> [[UInt8]] {
    precondition(row.count >= 2 && row[row.count - 2] == 0x0D && row[row.count - 1] == 0x0A, "row does not end in CRLF")
    let body = row.dropLast(2)
    var cells: [[UInt8]] = []
    var cell: [UInt8] = []
    var i = body.startIndex
    var quoted = false
    var atStart = true
    while i < body.endIndex {
        let c = body[i]
        if quoted {
            if c == 0x22 {
                if i + 1 < body.endIndex && body[i + 1] == 0x22 { cell.append(0x22); i += 2; continue }
                quoted = false
            } else {
                cell.append(c)
            }
        } else if c == 0x22 && atStart {
            quoted = true
        } else if c == delimiter {
            cells.append(cell); cell = []; atStart = true; i += 1; continue
        } else {
            cell.append(c)
        }
        atStart = false
        i += 1
    }
    cells.append(cell)
    return cells
}
