import FuzzDriver
@testable import SQL

/// Text → the SQL parser, then the translator to a search body against a small field catalog.
let catalog: SQLCatalog = [
    "host": SQLField(type: "keyword"),
    "message": SQLField(type: "text", keywordField: "message.keyword"),
    "message.keyword": SQLField(type: "keyword", sourcePath: "message"),
    "status": SQLField(type: "integer"),
    "latency": SQLField(type: "double"),
    "ts": SQLField(type: "date"),
    "ok": SQLField(type: "boolean"),
    "geo.city": SQLField(type: "keyword"),
]

runFuzzer { data in
    guard let text = utf8Text(data) else { return }
    let select = try SQLParser.parse(text)
    _ = try SQLTranslator(catalog: catalog, tableAlias: select.tableAlias).translate(select)
}
