/// Which requests are noise for usage analytics: health checks and probes (exact paths), static
/// assets (by file extension of the last path segment) and methods such as CORS preflights.
/// Configurable because every application names its probes differently.
public struct FilterRules: Sendable, Equatable {
    public var skipPaths: Set<String>
    /// Lower-case, without the dot.
    public var skipExtensions: Set<String>
    /// Upper-case.
    public var skipMethods: Set<String>

    public static let defaultSkipPaths: Set<String> = ["/health", "/healthz", "/healthcheck", "/ping", "/ready", "/readyz",
                                                       "/live", "/livez", "/status/health", "/favicon.ico", "/robots.txt"]
    public static let defaultSkipExtensions: Set<String> = ["js", "mjs", "css", "map", "png", "jpg", "jpeg", "gif", "svg", "ico",
                                                            "webp", "woff", "woff2", "ttf", "eot", "otf"]
    public static let defaultSkipMethods: Set<String> = ["OPTIONS"]

    public init(skipPaths: Set<String> = FilterRules.defaultSkipPaths, skipExtensions: Set<String> = FilterRules.defaultSkipExtensions,
                skipMethods: Set<String> = FilterRules.defaultSkipMethods) {
        self.skipPaths = skipPaths
        self.skipExtensions = Set(skipExtensions.map { $0.lowercased().hasPrefix(".") ? String($0.lowercased().dropFirst()) : $0.lowercased() })
        self.skipMethods = Set(skipMethods.map { $0.uppercased() })
    }

    /// Keeps everything.
    public static let none = FilterRules(skipPaths: [], skipExtensions: [], skipMethods: [])

    /// Whether a request (path without its query string) is noise.
    public func skips(path: String, method: String?) -> Bool {
        if let method, !skipMethods.isEmpty, skipMethods.contains(method) { return true }
        if skipPaths.contains(path) { return true }
        if path.count > 1, path.hasSuffix("/"), skipPaths.contains(String(path.dropLast())) { return true }
        if !skipExtensions.isEmpty {
            let utf8 = path.utf8
            // Extension of the last segment only: `/v1.2/report` has none.
            if let dot = utf8.lastIndex(of: UInt8(ascii: ".")), !utf8[dot...].contains(UInt8(ascii: "/")) {
                let ext = String(decoding: utf8[utf8.index(after: dot)...], as: UTF8.self).lowercased()
                if skipExtensions.contains(ext) { return true }
            }
        }
        return false
    }
}
