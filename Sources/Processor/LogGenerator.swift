import Foundation
import JSON

/// Synthetic application request logs for demos, tests and benchmarks: zipf-skewed users and
/// modules, sessions of several events, a few per cent 5xx, lognormal latencies, health checks and
/// static assets for the filters to drop, `assetType`/`siteToken` on some requests, and a tenth of
/// the lines in snake_case with epoch-millis timestamps. Deterministic for a seed.
public struct LogGenerator: Sendable {
    public var events = 10_000
    public var days = 7
    public var users = 1_000
    public var seed: UInt64 = 42
    /// Events end before this instant (epoch millis).
    public var endMs: Int64 = 1_795_392_000_000 // 2026-11-23T00:00:00Z
    /// Log events per CloudWatch payload.
    public var payloadSize = 500

    public init() {}

    /// SplitMix64: tiny, fast and reproducible across platforms.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
        mutating func normal() -> Double {
            let u1 = max(unit(), 1e-12), u2 = unit()
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
    }

    /// Cumulative zipf(s) weights over n ranks, sampled by binary search.
    struct Zipf {
        var cdf: [Double]
        init(_ n: Int, s: Double = 1.1) {
            var acc = 0.0
            cdf = (1...max(n, 1)).map { acc += 1 / pow(Double($0), s); return acc }
            cdf = cdf.map { $0 / acc }
        }
        func sample(_ r: inout RNG) -> Int {
            let u = r.unit()
            var lo = 0, hi = cdf.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cdf[mid] < u { lo = mid + 1 } else { hi = mid } }
            return lo
        }
    }

    static let modules = ["dashboard", "reports", "search", "documents", "analytics", "admin", "billing", "settings", "messages", "calendar"]
    static let paths = ["/", "/dashboard", "/reports", "/reports/export", "/search", "/documents", "/documents/upload", "/documents/view",
                        "/analytics/overview", "/analytics/funnels", "/admin/users", "/billing/invoices", "/settings/profile",
                        "/messages", "/calendar", "/api/v1/items", "/api/v1/items/detail", "/api/v1/query", "/login", "/logout"]
    static let assetTypes = ["pdf", "xlsx", "csv", "docx", "image", "video"]
    static let staticAssets = ["/static/app.js", "/static/vendor.js", "/static/main.css", "/static/logo.png", "/favicon.ico",
                               "/static/fonts/inter.woff2"]
    static let healthPaths = ["/health", "/ping", "/healthz"]

    struct Line { var ts: Int64; var text: String }

    /// The log lines, in time order.
    public func lines() -> [String] {
        var r = RNG(state: seed)
        let userZipf = Zipf(users, s: 1.05)
        let moduleZipf = Zipf(LogGenerator.modules.count, s: 0.9)
        let pathZipf = Zipf(LogGenerator.paths.count, s: 0.8)
        let start = endMs - Int64(days) * 86_400_000
        var out: [Line] = []
        out.reserveCapacity(events)
        var sessionNo = 0
        while out.count < events {
            // Noise between sessions: load-balancer probes and static assets.
            if r.unit() < 0.04 {
                let ts = start + Int64(r.unit() * Double(endMs - start))
                let p = LogGenerator.healthPaths[r.below(LogGenerator.healthPaths.count)]
                out.append(Line(ts: ts, text: line(ts: ts, session: nil, user: nil, path: p, method: "GET", status: 200, rt: 1 + r.below(3),
                                                   module: nil, asset: nil, site: nil, rng: &r)))
                continue
            }
            sessionNo += 1
            let user = "user-\(userZipf.sample(&r) + 1)"
            let session = "s-\(String(seed, radix: 36))-\(sessionNo)"
            let site: String? = r.unit() < 0.3 ? "site-\(1000 + r.below(50))" : nil
            let n = 1 + Int(-log(max(r.unit(), 1e-9)) * 7) // geometric-ish, mean ~8
            var ts = start + Int64(r.unit() * Double(endMs - start - 3_600_000))
            for _ in 0..<n where out.count < events {
                ts += Int64(-log(max(r.unit(), 1e-9)) * 20_000) + 50
                let kind = r.unit()
                var path: String, method = "GET", module: String? = nil, asset: String? = nil
                if kind < 0.06 {
                    path = LogGenerator.staticAssets[r.below(LogGenerator.staticAssets.count)]
                } else if kind < 0.36 {
                    path = "/api/beacon"; method = "POST"; module = LogGenerator.modules[moduleZipf.sample(&r)]
                } else {
                    path = LogGenerator.paths[pathZipf.sample(&r)]
                    if path.hasSuffix("upload") || path == "/api/v1/query" || path == "/login" { method = "POST" }
                    if path.hasPrefix("/documents") || path == "/reports/export", r.unit() < 0.7 {
                        asset = LogGenerator.assetTypes[r.below(LogGenerator.assetTypes.count)]
                    }
                }
                let u = r.unit()
                let status = u < 0.025 ? [500, 502, 503, 504][r.below(4)] : u < 0.07 ? [400, 401, 403, 404][r.below(4)] :
                    u < 0.12 ? 304 : (method == "POST" ? 201 : 200)
                var rt = exp(log(80.0) + 0.8 * r.normal())
                if status >= 500 { rt *= 4 }
                out.append(Line(ts: ts, text: line(ts: ts, session: session, user: user, path: path, method: method, status: status,
                                                   rt: Int(rt.rounded()), module: module, asset: asset, site: site, rng: &r)))
            }
        }
        out.sort { $0.ts < $1.ts }
        return out.map(\.text)
    }

    func line(ts: Int64, session: String?, user: String?, path: String, method: String, status: Int, rt: Int,
              module: String?, asset: String?, site: String?, rng r: inout RNG) -> String {
        let snake = r.unit() < 0.1
        var o = JSONObject()
        o[snake ? "timestamp" : "timestamp"] = snake ? .int(ts) : .string(UTCTime.format(ts))
        o[snake ? "request_id" : "requestId"] = .string(String(r.next(), radix: 16))
        if let session { o[snake ? "session_id" : "sessionId"] = .string(session) }
        if let user { o["user"] = .string(user) }
        o["method"] = .string(method)
        o["path"] = .string(path)
        o[snake ? "status_code" : "status"] = .number(status)
        o[snake ? "response_time" : "responseTime"] = .number(rt)
        if let module { o["module"] = .string(module) }
        if let asset { o[snake ? "asset_type" : "assetType"] = .string(asset) }
        if let site { o[snake ? "site_token" : "siteToken"] = .string(site) }
        o["level"] = status >= 500 ? "error" : "info"
        return JSONWriter.string(.object(o))
    }

    /// The same lines as CloudWatch subscription envelopes (one JSON envelope per output line),
    /// preceded by a `CONTROL_MESSAGE` as CloudWatch sends when a subscription is created.
    public func cloudWatchEnvelopes() throws(ProcessorError) -> [String] {
        let all = lines()
        var out: [String] = []
        let control = CloudWatchPayload(messageType: "CONTROL_MESSAGE", owner: "CloudwatchLogs", logGroup: "", logStream: "",
                                        subscriptionFilters: [], logEvents: [CloudWatchLogEvent(id: "", timestamp: endMs,
                                                                                                 message: "CWL CONTROL MESSAGE: Checking health of destination Firehose.")])
        out.append(String(decoding: try control.encodedEnvelope(), as: UTF8.self))
        var i = 0
        var n = 0
        while i < all.count {
            let chunk = all[i..<min(i + payloadSize, all.count)]
            var events: [CloudWatchLogEvent] = []
            for (k, text) in chunk.enumerated() {
                let ts = (try? JSONParser.parse(text))?["timestamp"].flatMap { v -> Int64? in
                    if case .string(let s) = v { return UTCTime.parseISO(s) }
                    return v.int64Value
                } ?? endMs
                // CloudWatch ids are 56-digit decimal strings; unique per event.
                let id = LogGenerator.cloudWatchID(ts, seq: UInt64(seed) &* 1_000_003 &+ UInt64(i + k))
                events.append(CloudWatchLogEvent(id: id, timestamp: ts, message: text))
            }
            let payload = CloudWatchPayload(logGroup: "/app/requests", logStream: "app-\(n % 4)", logEvents: events)
            out.append(String(decoding: try payload.encodedEnvelope(), as: UTF8.self))
            i += payloadSize
            n += 1
        }
        return out
    }
}

extension LogGenerator {
    /// A 56-digit decimal id like CloudWatch's: the timestamp, zero padding, a sequence number.
    static func cloudWatchID(_ ts: Int64, seq: UInt64) -> String {
        let a = String(ts)
        let b = String(seq)
        return a + String(repeating: "0", count: max(0, 56 - a.count - b.count)) + b
    }
}
