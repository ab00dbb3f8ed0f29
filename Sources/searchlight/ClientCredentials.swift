import ArgumentParser
import Foundation

/// Credentials the client commands (`ingest`, `export`) send to a server with security on:
/// `--user NAME:PASSWORD` or `--api-key ENCODED`, or the same from `SEARCHLIGHT_USER` /
/// `SEARCHLIGHT_API_KEY` (which keep them out of the process list).
struct ClientCredentials: ParsableArguments {
    @Option(help: "NAME:PASSWORD for HTTP basic auth (or env SEARCHLIGHT_USER).") var user: String?
    @Option(help: "An API key's encoded form, from `searchlight user api-key` (or env SEARCHLIGHT_API_KEY).") var apiKey: String?

    /// The `Authorization` header value, or nil to send none.
    func header() throws -> String? {
        let env = ProcessInfo.processInfo.environment
        if let key = apiKey ?? env["SEARCHLIGHT_API_KEY"], !key.isEmpty { return "ApiKey " + key }
        guard let user = user ?? env["SEARCHLIGHT_USER"], !user.isEmpty else { return nil }
        guard user.contains(":") else { throw ValidationError("--user takes NAME:PASSWORD") }
        return "Basic " + Data(user.utf8).base64EncodedString()
    }
}
