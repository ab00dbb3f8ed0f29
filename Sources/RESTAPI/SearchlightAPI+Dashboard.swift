import Index
import JSON
import Node

extension SearchlightAPI {
    /// `GET /_dashboard` (and `/_dashboard/{asset}`): the built-in KPI dashboard, static files
    /// embedded in the binary (`Resources/dashboard`, see `DashboardAssets`). The page reads its
    /// numbers through the public `_search` and `_export/csv` APIs like any other client, so it
    /// needs no server-side state of its own.
    static func registerDashboard(_ r: inout Router, _ node: Node) {
        r.add([.GET, .HEAD], "/_dashboard") { _ throws(OpenSearchError) in
            guard let page = DashboardAssets.file(named: "index.html") else { throw DashboardError.missingAsset("index.html").openSearchError }
            return RESTResponse(status: 200, raw: page.bytes, contentType: page.contentType)
        }
        r.add([.GET, .HEAD], "/_dashboard/{asset}") { req throws(OpenSearchError) in
            let name = req[path: "asset"] ?? ""
            guard let file = DashboardAssets.file(named: name) else { throw DashboardError.missingAsset(name).openSearchError }
            return RESTResponse(status: 200, raw: file.bytes, contentType: file.contentType)
        }
    }
}

/// Why a dashboard request failed, as OpenSearch error JSON.
enum DashboardError: Error, Sendable {
    case missingAsset(String)

    var openSearchError: OpenSearchError {
        switch self {
        case .missingAsset(let name):
            OpenSearchError("resource_not_found_exception", "dashboard asset [\(name)] not found", status: 404)
        }
    }
}

extension DashboardAssets {
    /// One embedded file with the content type browsers need to run it.
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    static func file(named name: String) -> File? {
        guard let text = files[name] else { return nil }
        let type: String
        if name.hasSuffix(".html") { type = "text/html; charset=UTF-8" }
        else if name.hasSuffix(".js") { type = "text/javascript; charset=UTF-8" }
        else if name.hasSuffix(".css") { type = "text/css; charset=UTF-8" }
        else if name.hasSuffix(".svg") { type = "image/svg+xml" }
        else { type = "text/plain; charset=UTF-8" }
        return File(bytes: Array(text.utf8), contentType: type)
    }
}
