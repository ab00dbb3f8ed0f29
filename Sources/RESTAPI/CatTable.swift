import Foundation
import Index
import JSON

/// A `_cat` table: OpenSearch's column selection (`h=`), sorting (`s=`), headers (`v`), JSON
/// output (`format=json`) and byte units (`bytes=`), over rows of cells.
struct CatTable {
    struct Column {
        var name: String
        var aliases: [String] = []
        var byDefault = true
        var numeric = false
        var description = ""
    }

    /// A cell: its text, and a number to sort and convert units by when it has one.
    struct Cell {
        var text: String
        var number: Double?
        var isBytes = false

        init(_ text: String) { self.text = text }
        init(count: Int) { text = String(count); number = Double(count) }
        init(bytes: Int) { text = ""; number = Double(bytes); isBytes = true }
        static let missing = Cell("-")
    }

    var columns: [Column]
    var rows: [[Cell]] = []

    init(_ columns: [Column]) { self.columns = columns }

    static func humanBytes(_ b: Double, unit: String?) -> String {
        let units: [(String, Double)] = [("pb", Double(1 << 50)), ("tb", Double(1 << 40)), ("gb", Double(1 << 30)), ("mb", Double(1 << 20)), ("kb", Double(1 << 10)), ("b", 1)]
        if let unit, let m = units.first(where: { $0.0 == unit || ($0.0 == "b" && unit == "b") }) {
            return String(Int64(b / m.1))
        }
        for (name, mult) in units where b >= mult || name == "b" {
            let v = b / mult
            let rounded = (v * 10).rounded() / 10
            let text = rounded == rounded.rounded() ? String(Int64(rounded)) : String(format: "%.1f", rounded)
            return text + name
        }
        return "0b"
    }

    func render(_ req: RESTRequest) throws(OpenSearchError) -> RESTResponse {
        if try req.bool("help", default: false) {
            let names = columns.map(\.name), aliases = columns.map { $0.aliases.joined(separator: ",") }
            let w1 = names.map(\.count).max() ?? 0, w2 = aliases.map(\.count).max() ?? 0
            var out = ""
            for (k, c) in columns.enumerated() {
                out += names[k].padding(toLength: w1, withPad: " ", startingAt: 0) + " | " + aliases[k].padding(toLength: w2, withPad: " ", startingAt: 0)
                    + " | " + (c.description.isEmpty ? c.name : c.description) + "\n"
            }
            return RESTResponse(status: 200, raw: Array(out.utf8), contentType: "text/plain; charset=UTF-8")
        }
        let bytesUnit = req.params["bytes"]
        // Column selection.
        var selected: [Int] = []
        if let h = req.params["h"], !h.isEmpty {
            for want in h.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) {
                if let exact = columns.firstIndex(where: { ([$0.name] + $0.aliases).contains(want) }) { selected.append(exact); continue }
                let hits = columns.indices.filter { i in
                    want.contains("*") && ([columns[i].name] + columns[i].aliases).contains { Wildcard.matches(want, $0) }
                }
                if hits.isEmpty { throw OpenSearchError.illegalArgument("header name [\(want)] does not exist") }
                selected += hits
            }
        } else {
            selected = columns.indices.filter { columns[$0].byDefault }
        }
        func text(_ c: Cell) -> String {
            c.isBytes ? CatTable.humanBytes(c.number ?? 0, unit: bytesUnit) : c.text
        }
        // Sorting.
        var sorted = rows
        if let s = req.params["s"], !s.isEmpty {
            var keys: [(Int, Bool)] = []
            for spec in s.split(separator: ",") {
                let parts = spec.split(separator: ":")
                let name = String(parts[0])
                guard let i = columns.firstIndex(where: { ([$0.name] + $0.aliases).contains(name) }) else {
                    throw OpenSearchError.illegalArgument("Unable to sort by unknown sort key `\(name)`")
                }
                keys.append((i, parts.count > 1 && parts[1] == "desc"))
            }
            sorted.sort { a, b in
                for (i, desc) in keys {
                    let x = a[i], y = b[i]
                    if let nx = x.number, let ny = y.number, nx != ny { return desc ? nx > ny : nx < ny }
                    if x.number == nil || y.number == nil, x.text != y.text { return desc ? x.text > y.text : x.text < y.text }
                }
                return false
            }
        }
        if req.params["format"] == "json" {
            let arr: [JSONValue] = sorted.map { row in
                .object(JSONObject(selected.map { (columns[$0].name, .string(text(row[$0]))) }))
            }
            return RESTResponse(200, .array(arr))
        }
        var lines: [[String]] = []
        if try req.bool("v", default: false) { lines.append(selected.map { columns[$0].name }) }
        for row in sorted { lines.append(selected.map { text(row[$0]) }) }
        var widths = [Int](repeating: 0, count: selected.count)
        for l in lines { for (k, t) in l.enumerated() { widths[k] = max(widths[k], t.count) } }
        var out = ""
        let header = try req.bool("v", default: false)
        for (n, l) in lines.enumerated() {
            var cells: [String] = []
            for (k, t) in l.enumerated() {
                let pad = String(repeating: " ", count: widths[k] - t.count)
                // Numbers align right, headers always left (as OpenSearch's tables do).
                cells.append(columns[selected[k]].numeric && !(header && n == 0) ? pad + t : t + pad)
            }
            out += cells.joined(separator: " ") + "\n"
        }
        return RESTResponse(status: 200, raw: Array(out.utf8), contentType: "text/plain; charset=UTF-8")
    }
}
