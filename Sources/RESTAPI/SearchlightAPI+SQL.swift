import Index
import JSON
import Node
import SQL

extension SearchlightAPI {
    /// `POST /_plugins/_sql` (and the legacy `/_opendistro/_sql`): the SELECT subset of the SQL
    /// plugin, translated to a search body and run through the ordinary search path, answered as
    /// `jdbc` (default), `json` (the raw search response), `csv` or `raw`. `…/_explain` returns the
    /// translated body. Errors use the plugin's shape, `{"error":{"reason","details","type"},"status"}`.
    static func registerSQL(_ r: inout Router, _ node: Node) {
        let query: Router.Handler = { req in await sql(req, node, explain: false) }
        let explain: Router.Handler = { req in await sql(req, node, explain: true) }
        for base in ["/_plugins/_sql", "/_opendistro/_sql"] {
            r.add([.POST], base, query)
            r.add([.POST], base + "/_explain", explain)
        }
    }

    static func sql(_ req: RESTRequest, _ node: Node, explain: Bool) async -> RESTResponse {
        do throws(SQLRequestError) {
            return try await runSQL(req, node, explain: explain)
        } catch {
            return error.response
        }
    }

    /// Everything that can go wrong, rendered once in the SQL plugin's error shape.
    enum SQLRequestError: Error {
        case sql(SQLError)
        case engine(OpenSearchError)
        case request(String)

        var response: RESTResponse {
            let status: Int, type: String, reason: String, details: String
            switch self {
            case .sql(let e): (status, type, reason, details) = (400, e.typeName, e.reason, e.description)
            case .request(let m): (status, type, reason, details) = (400, "IllegalArgumentException", "Invalid Query", m)
            case .engine(let e):
                status = e.status
                type = e.type.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
                reason = "Error occurred in OpenSearch engine: \(e.reason)"
                details = "\(e.type): \(e.reason). For more details, please send request for Json format to see the raw response from OpenSearch engine."
            }
            return RESTResponse(status, .object(JSONObject([
                ("error", .object(JSONObject([("reason", .string(reason)), ("details", .string(details)), ("type", .string(type))]))),
                ("status", .number(status)),
            ])))
        }
    }

    static func runSQL(_ req: RESTRequest, _ node: Node, explain: Bool) async throws(SQLRequestError) -> RESTResponse {
        let body: JSONValue?
        do { body = try req.json() } catch { throw .engine(error) }
        guard case .object(let o)? = body, case .string(let text)? = o["query"] else {
            throw .request("request body must be a JSON object with a string [query]")
        }
        let format = (req.params["format"] ?? "jdbc").lowercased()
        guard ["jdbc", "json", "csv", "raw"].contains(format) else {
            throw .request("Failed to create executor due to unknown response format: \(format)")
        }
        let select: SQLSelect
        do { select = try SQLParser.parse(text) } catch { throw .sql(error) }
        let snapshots: [IndexSnapshot]
        do { snapshots = try node.searchSnapshots(select.index) } catch { throw .engine(error) }
        var plan: SQLPlan
        do {
            plan = try SQLTranslator(catalog: catalog(snapshots), tableAlias: select.tableAlias).translate(select)
        } catch { throw .sql(error) }
        if let extra = o["filter"], case .object(var b) = plan.body, let q = b["query"] {
            b["query"] = ["bool": .object(JSONObject([("filter", .array([q, extra]))]))]
            plan.body = .object(b)
        }
        plan.limitPageSize(maxBuckets)
        if explain { return RESTResponse(200, plan.body) }

        var search = req
        search.pathParams = ["index": plan.index]
        search.params = [:]
        let wanted = plan.offset + (plan.limit ?? SQLPlan.defaultLimit)
        if plan.mode == .hits, wanted > maxSQLRows { throw .request("LIMIT and OFFSET ask for more than \(maxSQLRows) rows") }
        let window = snapshots.compactMap { node.index(named: $0.indexName)?.settings.maxResultWindow }.min() ?? 10_000
        let first = plan.mode == .hits && wanted > window
            ? try await scrollHits(plan, wanted, snapshots, node)
            : try await runSearch(plan.body, search, node)
        let rows: [[JSONValue]]
        let total: Int
        switch plan.mode {
        case .hits:
            rows = timestamps(plan.hitRows(first), plan.columns, snapshots)
            total = first["hits"]?["total"]?["value"]?.int64Value.map { Int($0) } ?? rows.count
        case .metrics:
            (rows, total) = plan.finish([plan.metricRow(first)])
        case .groups:
            var keyed: [[String: JSONValue]] = []
            var page = plan.groupPage(first)
            while true {
                keyed += page.rows
                guard let after = page.after, page.rows.count >= plan.pageSize else { break }
                if keyed.count > maxSQLGroups {
                    throw .request("GROUP BY produced more than \(maxSQLGroups) groups")
                }
                page = plan.groupPage(try await runSearch(plan.body(after: after), search, node))
            }
            (rows, total) = plan.finish(keyed)
        }
        switch format {
        case "json":
            return RESTResponse(200, first)
        case "csv", "raw":
            var csv = CSVWriter()
            if format == "raw" { csv.delimiter = UInt8(ascii: "|") }
            var bytes: [UInt8] = []
            csv.row(plan.columns.map { $0.alias ?? $0.name }, into: &bytes)
            for row in rows { csv.row(row.map { csv.text($0) }, into: &bytes) }
            // The plugin answers both as plain text, which is what opensearch-py can decode.
            return RESTResponse(status: 200, raw: bytes, contentType: "text/plain; charset=UTF-8")
        default:
            let schema: [JSONValue] = plan.columns.map { c in
                var s = JSONObject([("name", .string(c.name))])
                if let a = c.alias { s["alias"] = .string(a) }
                s["type"] = .string(c.type)
                return .object(s)
            }
            return RESTResponse(200, .object(JSONObject([
                ("schema", .array(schema)), ("datarows", .array(rows.map { .array($0) })),
                ("total", .number(total)), ("size", .number(rows.count)), ("status", 200),
            ])))
        }
    }

    /// Groups are collected in memory before HAVING and ORDER BY; this bounds that memory.
    static let maxSQLGroups = 1_000_000
    /// Plain SELECTs past the result window are read by scroll, at most this many rows.
    static let maxSQLRows = 1_000_000

    /// A plain SELECT whose LIMIT and OFFSET reach past `index.max_result_window`: read through
    /// a scroll of 1,000-hit pages and answered as one search response holding the requested hits.
    static func scrollHits(_ plan: SQLPlan, _ wanted: Int, _ snapshots: [IndexSnapshot], _ node: Node) async throws(SQLRequestError) -> JSONValue {
        guard case .object(var body) = plan.body else { return plan.body }
        body["from"] = 0
        body["size"] = 1000
        var hits: [JSONValue] = []
        var first: JSONValue = .object(JSONObject())
        var scrollID: String?
        defer { if let scrollID { _ = try? node.scrolls.clear([scrollID]) } }
        do {
            var request = try SearchRequest.parse(.object(body), params: [:])
            request.maxBuckets = maxBuckets
            var page = try await node.scrolls.start(snapshots, request, keepAlive: 60_000)
            first = page
            while true {
                scrollID = page["_scroll_id"]?.stringValue ?? scrollID
                guard case .array(let h)? = page["hits"]?["hits"], !h.isEmpty else { break }
                hits += h
                if hits.count >= wanted { break }
                page = try await node.scrolls.next(scrollID ?? "", keepAlive: 60_000)
            }
        } catch { throw .engine(error) }
        let kept = Array(hits.dropFirst(plan.offset).prefix(max(0, wanted - plan.offset)))
        guard case .object(var o) = first, case .object(var h)? = o["hits"] else { return first }
        h["hits"] = .array(kept)
        o["hits"] = .object(h)
        o["_scroll_id"] = nil
        return .object(o)
    }

    static func runSearch(_ body: JSONValue, _ req: RESTRequest, _ node: Node) async throws(SQLRequestError) -> JSONValue {
        do {
            let request = try SearchRequest.parse(body, params: [:])
            return try await execute(request, req, node)
        } catch { throw .engine(error) }
    }

    /// Date values of hits as the plugin prints timestamps (`yyyy-MM-dd HH:mm:ss[.SSS]`, UTC),
    /// parsed with the field's mapped format; values it cannot parse are left as stored.
    static func timestamps(_ rows: [[JSONValue]], _ columns: [SQLPlan.Column], _ snapshots: [IndexSnapshot]) -> [[JSONValue]] {
        var formats: [Int: DateFormat] = [:]
        for (i, c) in columns.enumerated() where c.type == "timestamp" {
            formats[i] = snapshots.lazy.compactMap { $0.mapping.field(c.key)?.dateFormat }.first ?? DateFormat.defaultDate
        }
        guard !formats.isEmpty else { return rows }
        return rows.map { row in
            var r = row
            for (i, f) in formats where i < r.count {
                let ms: Int64?
                switch r[i] {
                case .string(let text): ms = f.parse(text)
                case .int(let n): ms = f.parse(number: Double(n))
                case .double(let d): ms = f.parse(number: d)
                default: ms = nil
                }
                if let ms { r[i] = .string(SQLPlan.timestamp(ms)) }
            }
            return r
        }
    }

    /// The fields of the indices a query reads, as the translator sees them: text fields point at
    /// their keyword sub-field, sub-fields at their parent's `_source` path.
    static func catalog(_ snapshots: [IndexSnapshot]) -> SQLCatalog {
        // Metadata fields: selectable and filterable by name, never part of `SELECT *`.
        var out: SQLCatalog = ["_id": SQLField(type: "keyword", sourcePath: "_id"), "_index": SQLField(type: "keyword", sourcePath: "_index")]
        for snap in snapshots {
            for (path, fm) in snap.mapping.leafFields where out[path] == nil {
                var f = SQLField(type: fm.type.rawValue)
                if let k = fm.fields.sorted(by: { $0.key < $1.key }).first(where: { $0.value.type == .keyword }) {
                    f.keywordField = "\(path).\(k.key)"
                }
                if isMultiField(path, snap.mapping), let dot = path.lastIndex(of: ".") { f.sourcePath = String(path[..<dot]) }
                out[path] = f
            }
        }
        return out
    }
}
