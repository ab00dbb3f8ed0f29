import Index
import JSON
import Node
import Synchronization

extension SearchlightAPI {
    /// `POST /{index}/_export/csv` (and `GET` with `q=`): every hit matching the search body, not
    /// just the first 10,000, streamed as CSV with a header row. Pages are read through a scroll
    /// only as fast as the client takes them, so memory stays flat however many rows there are.
    /// A body with `aggs` exports one row per bucket path instead.
    static func registerExport(_ r: inout Router, _ node: Node) {
        let export: Router.Handler = { req throws(OpenSearchError) in
            var body = try req.json() ?? .object(JSONObject())
            guard case .object(var o) = body else { throw OpenSearchError.parsing("request body must be an object") }
            var columns: [String] = []
            if case .array(let f)? = o["fields"] {
                columns = f.compactMap { $0.stringValue ?? $0["field"]?.stringValue }
                o["fields"] = nil
            } else if let s = o["_source"], case .array(let a) = s, !a.contains(where: { $0.stringValue?.contains("*") ?? true }) {
                columns = a.compactMap(\.stringValue)
            } else if let s = o["_source"], case .string(let one) = s, !one.contains("*") {
                columns = [one]
            }
            if let cols = req.params["fields"] { columns = cols.split(separator: ",").map(String.init) }
            var csv = CSVWriter()
            if let d = req.params["delimiter"] {
                guard d.utf8.count == 1 else { throw OpenSearchError.illegalArgument("[delimiter] must be a single character") }
                csv.delimiter = d.utf8.first!
            }
            if let s = req.params["separator"] { csv.arraySeparator = s }
            let hasAggs = o["aggs"] != nil || o["aggregations"] != nil
            body = .object(o)
            var params = req.params
            for k in ["fields", "delimiter", "separator"] { params[k] = nil }
            var request = try SearchRequest.parse(body, params: params)
            let snaps = try node.searchSnapshots(req[path: "index"] ?? "_all", options: try options(req))
            if hasAggs {
                request.size = 0
                let out = try await SearchExecutor.search(snaps, request)
                var bytes: [UInt8] = []
                let (header, rows) = AggregationRows.flatten(out["aggregations"] ?? .object(JSONObject()))
                csv.row(header, into: &bytes)
                for row in rows { csv.row(row.map { csv.text($0) }, into: &bytes) }
                return RESTResponse(status: 200, raw: bytes, contentType: "text/csv; charset=UTF-8")
            }
            if columns.isEmpty {
                // Every mapped leaf field (multi-fields left out), in name order.
                var seen = Set<String>()
                for snap in snaps {
                    for (path, _) in snap.mapping.leafFields where !isMultiField(path, snap.mapping) && seen.insert(path).inserted { columns.append(path) }
                }
                columns.sort()
                columns.insert("_id", at: 0)
            }
            let cols = columns
            if request.sort.isEmpty { request.sort = [SortSpec(target: .doc, descending: false)] }
            request.size = 1000
            request.from = 0
            // Index order needs no sorting across segments: scan them one after another.
            let indexOrder = request.sort == [SortSpec(target: .doc, descending: false)] && request.searchAfter == nil
                && request.minScore == nil && request.terminateAfter == nil && request.pit == nil
            let scan = indexOrder ? DocumentScan(snapshots: snaps, query: request.query, postFilter: request.postFilter,
                                                 now: SearchExecutor.nowMillis(), ids: cols.contains("_id")) : nil
            let pager = ExportPager(node: node, snapshots: snaps, request: request, columns: cols, csv: csv, scan: scan)
            // The first page is read before the 200 goes out: what the search itself refuses (an
            // unmapped sort field, a value the field cannot take) answers with its 4xx, not with
            // a stream cut after the headers.
            try await pager.prime()
            return RESTResponse(status: 200, stream: { () async throws(OpenSearchError) -> [UInt8]? in try await pager.pull() }, contentType: "text/csv; charset=UTF-8")
        }
        r.add([.GET, .POST], "/{index}/_export/csv", export)
        r.add([.GET, .POST], "/_export/csv", export)
    }

    static func isMultiField(_ path: String, _ mapping: Mapping) -> Bool {
        guard let dot = path.lastIndex(of: ".") else { return false }
        let parent = String(path[..<dot])
        guard let p = mapping.field(parent) else { return false }
        return !p.type.isObjectLike
    }
}

/// Pulls one CSV chunk per scroll page; the header first. Pull-based, so a slow client slows the
/// reads instead of growing a buffer.
final class ExportPager: Sendable {
    struct State: Sendable {
        var scrollID: String?
        var started = false
        var done = false
        /// The chunk `prime()` read ahead, handed out by the first `pull()`.
        var primed: [UInt8]?
    }

    let node: Node
    let snapshots: [IndexSnapshot]
    let request: SearchRequest
    let columns: [String]
    let csv: CSVWriter
    let state = Mutex(State())
    /// Index-order exports read the segments directly instead of paging a scroll.
    let scan: DocumentScan?
    static let scanBatch = 2000

    init(node: Node, snapshots: [IndexSnapshot], request: SearchRequest, columns: [String], csv: CSVWriter, scan: DocumentScan? = nil) {
        self.node = node
        self.snapshots = snapshots
        self.request = request
        self.columns = columns
        self.csv = csv
        self.scan = scan
    }

    /// The next chunk from the scan: sources parsed and cut into the columns.
    func nextScanned(_ scan: DocumentScan) throws(OpenSearchError) -> [UInt8]? {
        let started = state.withLock { s in
            let was = s.started
            s.started = true
            return was
        }
        var out: [UInt8] = []
        if !started { csv.row(columns, into: &out) }
        guard let batch = try scan.next(limit: Self.scanBatch) else { return out.isEmpty ? nil : out }
        out.reserveCapacity(out.count + batch.count * 128)
        let empty = JSONValue.object(JSONObject())
        let kinds: [Int] = columns.map { $0 == "_id" ? 1 : $0 == "_index" ? 2 : 0 }
        for i in 0..<batch.count {
            let src = batch.sources.withUnsafeBufferPointer { all in
                (try? JSONParser.parse(buffer: UnsafeBufferPointer(rebasing: all[batch.starts[i]..<batch.starts[i + 1]]))) ?? empty
            }
            for (k, c) in columns.enumerated() {
                if k > 0 { out.append(csv.delimiter) }
                switch kinds[k] {
                case 1: csv.write(.string(batch.ids[i]), into: &out)
                case 2: csv.write(.string(batch.indexNames[i]), into: &out)
                default: csv.write(CSVWriter.value(src, c), into: &out)
                }
            }
            out.append(0x0D)
            out.append(0x0A)
        }
        return out
    }

    deinit {
        if let id = state.withLock({ $0.scrollID }) { _ = try? node.scrolls.clear([id]) }
    }

    /// Reads the first chunk ahead, so its errors surface before the response starts.
    func prime() async throws(OpenSearchError) {
        let first = try await next() ?? []
        state.withLock { $0.primed = first }
    }

    /// The primed chunk first, then `next()`.
    func pull() async throws(OpenSearchError) -> [UInt8]? {
        let primed = state.withLock { s -> [UInt8]? in
            defer { s.primed = nil }
            return s.primed
        }
        if let primed, !primed.isEmpty { return primed }
        return try await next()
    }

    /// The next chunk of CSV, nil at the end.
    func next() async throws(OpenSearchError) -> [UInt8]? {
        if let scan { return try nextScanned(scan) }
        let (started, done, id) = state.withLock { ($0.started, $0.done, $0.scrollID) }
        if done { return nil }
        var out: [UInt8] = []
        let page: JSONValue
        if !started {
            csv.row(columns, into: &out)
            page = try await node.scrolls.start(snapshots, request, keepAlive: 600_000)
            let sid = page["_scroll_id"]?.stringValue
            state.withLock { $0.started = true; $0.scrollID = sid }
        } else {
            page = try await node.scrolls.next(id ?? "", keepAlive: 600_000)
        }
        guard case .array(let hits)? = page["hits"]?["hits"], !hits.isEmpty else {
            state.withLock { $0.done = true }
            if let id = state.withLock({ $0.scrollID }) { _ = try? node.scrolls.clear([id]) }
            return out.isEmpty ? nil : out
        }
        for h in hits {
            let src = h["_source"] ?? .object(JSONObject())
            let cells = columns.map { c -> String in
                switch c {
                case "_id": return csv.text(h["_id"])
                case "_index": return csv.text(h["_index"])
                default: return csv.text(CSVWriter.value(src, c))
                }
            }
            csv.row(cells, into: &out)
        }
        return out
    }
}

/// An aggregation response as rows: one per path of buckets down to the leaves, the bucket keys
/// of each level as columns (named after the aggregation), then `doc_count` and the metrics.
enum AggregationRows {
    static func flatten(_ aggs: JSONValue) -> ([String], [[JSONValue]]) {
        var header: [String] = []
        var rows: [[String: JSONValue]] = []
        func addColumn(_ c: String) { if !header.contains(c) { header.append(c) } }
        func metrics(_ o: JSONObject, _ row: inout [String: JSONValue]) -> [(String, JSONObject)] {
            var bucketAggs: [(String, JSONObject)] = []
            for (name, v) in o {
                guard case .object(let a) = v else { continue }
                if a["buckets"] != nil { bucketAggs.append((name, a)); continue }
                if let value = a["value"] { addColumn(name); row[name] = value; continue }
                if case .object(let values)? = a["values"] {
                    for (k, x) in values { addColumn("\(name).\(k)"); row["\(name).\(k)"] = x }
                    continue
                }
                if a["doc_count"] != nil {
                    // A single-bucket aggregation (filter, missing, global): its count and metrics.
                    addColumn("\(name).doc_count"); row["\(name).doc_count"] = a["doc_count"]
                    var inner = row
                    var sub = a
                    sub["doc_count"] = nil
                    sub["meta"] = nil
                    _ = metrics(JSONObject(sub.map { ("\(name).\($0.0)", $0.1) }), &inner)
                    row = inner
                    continue
                }
                for (k, x) in a where k != "meta" {
                    if case .object = x { continue }
                    addColumn("\(name).\(k)"); row["\(name).\(k)"] = x
                }
            }
            return bucketAggs
        }
        func walk(_ o: JSONObject, _ base: [String: JSONValue]) {
            var row = base
            let bucketAggs = metrics(o, &row)
            if bucketAggs.isEmpty { rows.append(row); return }
            for (name, a) in bucketAggs {
                addColumn(name)
                addColumn("\(name).doc_count")
                var list: [(JSONValue, JSONObject)] = []
                switch a["buckets"] {
                case .array(let bs)?:
                    for b in bs { if case .object(let bo) = b { list.append((bo["key_as_string"] ?? bo["key"] ?? .null, bo)) } }
                case .object(let keyed)?:
                    for (k, b) in keyed { if case .object(let bo) = b { list.append((.string(k), bo)) } }
                default: break
                }
                for (key, bo) in list {
                    var r = row
                    if case .object(let ko) = key {
                        r[name] = .string(ko.map { "\($0.0)=\(JSONWriter.string($0.1))" }.joined(separator: "|"))
                    } else {
                        r[name] = key
                    }
                    r["\(name).doc_count"] = bo["doc_count"]
                    var sub = bo
                    for k in ["key", "key_as_string", "doc_count", "from", "to", "from_as_string", "to_as_string"] { sub[k] = nil }
                    walk(sub, r)
                }
            }
        }
        if case .object(let o) = aggs { walk(o, [:]) }
        return (header, rows.map { r in header.map { r[$0] ?? .null } })
    }
}
