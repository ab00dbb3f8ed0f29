import Foundation
import Hummingbird
import HummingbirdTesting
import JSON
import RESTAPI
import Testing

/// `/_dashboard` serves the files of `Resources/dashboard` as embedded by Scripts/embed-dashboard.sh.
@Suite struct DashboardTests {
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Resources/dashboard")

    @Test func pageAndAssetsMatchTheResourcesDirectory() async throws {
        let dir = TempDir()
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.resources.path).sorted()
        #expect(names.contains("index.html") && names.contains("app.js") && names.contains("style.css"))
        try await makeApp(dir).test(.router) { client in
            for name in names {
                let r = try await client.execute(uri: "/_dashboard/\(name)", method: .get)
                #expect(r.status == .ok, "\(name)")
                let served = String(buffer: r.body)
                let file = try String(contentsOf: Self.resources.appendingPathComponent(name), encoding: .utf8)
                // The generated Swift literal drops the file's final newline.
                #expect(served == file || served + "\n" == file, "\(name) differs: run Scripts/embed-dashboard.sh")
            }
            for (uri, type) in [("/_dashboard", "text/html"), ("/_dashboard/", "text/html"), ("/_dashboard/app.js", "text/javascript"),
                                ("/_dashboard/style.css", "text/css")] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix(type) == true, "\(uri): \(r.headers[.contentType] ?? "-")")
            }
            let missing = try await client.execute(uri: "/_dashboard/nope.js", method: .get)
            #expect(missing.status == .notFound)
            #expect(try json(missing.body)["error"]?["type"] == "resource_not_found_exception")
        }
    }

    @Test func sourceParamStandsInForTheBody() async throws {
        let dir = TempDir()
        try await makeApp(dir).test(.router) { client in
            _ = try await client.execute(uri: "/ev/_doc/1?refresh=true", method: .put, body: buffer(#"{"user":"ann"}"#))
            let source = #"{"query":{"term":{"user":"bob"}}}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let r = try await client.execute(uri: "/ev/_count?source=\(source)&source_content_type=application/json", method: .get)
            #expect(try json(r.body)["count"] == 0)
            let all = try await client.execute(uri: "/ev/_count", method: .get)
            #expect(try json(all.body)["count"] == 1)
            let untyped = try await client.execute(uri: "/ev/_count?source=\(source)", method: .get)
            #expect(untyped.status == .badRequest)
        }
    }
}
