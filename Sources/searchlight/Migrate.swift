import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import JSON
import Migration

/// `searchlight migrate --to URL`: copies templates, lifecycle policies, indices, documents and
/// aliases to another OpenSearch-compatible cluster through its REST API, with a progress line
/// and a checkpoint file that lets an interrupted run resume.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy templates, policies, indices, documents and aliases to another OpenSearch-compatible cluster.",
        discussion: """
        Reads the source through its public REST API only. Documents are paged in _seq_no order and \
        written with their _id and routing; after every acknowledged _bulk the checkpoint file records \
        the last _seq_no, so rerunning the same command after an interruption (Ctrl-C, kill) continues \
        there. Exit status: 0 when every index has as many documents on the destination as on the \
        source, 1 otherwise, 3 when --max-batches stopped the run early.
        """)

    @Option(help: "Source cluster URL.") var from = "http://127.0.0.1:9200"
    @Option(help: "Destination cluster URL (http or https; user:password@ in the URL works too).") var to: String
    @Option(help: "Comma-separated index names or patterns to copy.") var indices = "*"
    @Option(help: "Checkpoint file recording progress for resuming.") var checkpoint = ".searchlight-migrate.json"
    @Flag(help: "Ignore an existing checkpoint and start over.") var fresh = false
    @Option(help: "Documents per search page.") var pageSize = 1000
    @Option(help: "Largest _bulk body in MB.") var batchMb = 5
    @Option(help: "number_of_shards for the destination indices (default: as on the source).") var shards: Int?
    @Option(help: "number_of_replicas for the destination indices (default: as on the source).") var replicas: Int?
    @Flag(help: "Do not copy index, component and legacy templates.") var noTemplates = false
    @Flag(help: "Do not copy index state management policies.") var noPolicies = false
    @Option(help: "Stop after this many batches, as if interrupted (for testing resume).") var maxBatches: Int?
    @Option(help: "Source NAME:PASSWORD (or env SEARCHLIGHT_FROM_USER).") var fromUser: String?
    @Option(help: "Source API key, encoded (or env SEARCHLIGHT_FROM_API_KEY).") var fromApiKey: String?
    @Option(help: "Destination NAME:PASSWORD (or env SEARCHLIGHT_TO_USER).") var toUser: String?
    @Option(help: "Destination API key, encoded (or env SEARCHLIGHT_TO_API_KEY).") var toApiKey: String?
    @Flag(help: "No progress line.") var quiet = false

    static func authorization(user: String?, apiKey: String?, env prefix: String) throws -> String? {
        let env = ProcessInfo.processInfo.environment
        if let key = apiKey ?? env[prefix + "_API_KEY"], !key.isEmpty { return "ApiKey " + key }
        guard let user = user ?? env[prefix + "_USER"], !user.isEmpty else { return nil }
        guard user.contains(":") else { throw ValidationError("credentials take NAME:PASSWORD") }
        return "Basic " + Data(user.utf8).base64EncodedString()
    }

    func run() async throws {
        guard pageSize > 0, batchMb > 0 else { throw ValidationError("--page-size and --batch-mb must be positive") }
        var options = Migrator.Options()
        options.indices = indices
        options.checkpointPath = checkpoint
        options.fresh = fresh
        options.pageSize = pageSize
        options.batchBytes = batchMb * 1024 * 1024
        options.maxBatches = maxBatches
        options.copyTemplates = !noTemplates
        options.copyPolicies = !noPolicies
        if let shards { options.settingOverrides["index.number_of_shards"] = .string(String(shards)) }
        if let replicas { options.settingOverrides["index.number_of_replicas"] = .string(String(replicas)) }
        let bar = MigrateProgress(enabled: !quiet)
        let fromAuth = try Migrate.authorization(user: fromUser, apiKey: fromApiKey, env: "SEARCHLIGHT_FROM")
        let toAuth = try Migrate.authorization(user: toUser, apiKey: toApiKey, env: "SEARCHLIGHT_TO")
        let migrator: Migrator
        do throws(MigrationError) {
            migrator = Migrator(
                source: try RESTClient(url: from, authorization: fromAuth),
                destination: try RESTClient(url: to, authorization: toAuth),
                options: options, log: { bar.log($0) }, progress: { bar.update($0) })
        } catch {
            throw ValidationError(error.description)
        }
        let reports: [Migrator.IndexReport]
        do throws(MigrationError) {
            reports = try await migrator.run()
        } catch .stopped(let n) {
            bar.finish()
            FileHandle.standardError.write(Data("\(MigrationError.stopped(batches: n))\n".utf8))
            throw ExitCode(3)
        } catch {
            bar.finish()
            FileHandle.standardError.write(Data("Error: \(error)\n(progress is saved in \(checkpoint); rerun to resume)\n".utf8))
            throw ExitCode(1)
        }
        bar.finish()
        print(Migrate.table(reports))
        let bad = reports.filter { !$0.ok }
        if !migrator.warnings.isEmpty { print("\(migrator.warnings.count) warning(s), see above") }
        if !bad.isEmpty {
            print("MISMATCH in \(bad.count) index(es): \(bad.map(\.index).joined(separator: ", "))")
            throw ExitCode(1)
        }
        print("migrated \(reports.count) index(es), \(reports.reduce(0) { $0 + $1.destinationCount }) documents")
    }

    /// The closing summary: one row per index.
    static func table(_ reports: [Migrator.IndexReport]) -> String {
        let header = ["index", "source docs", "destination docs", "copied now", "failed", "status"]
        let rows = reports.map { r in
            [r.index, String(r.sourceCount), String(r.destinationCount), String(r.copiedThisRun), String(r.failed),
             r.ok ? (r.resumed ? "ok (resumed)" : "ok") : "MISMATCH"]
        }
        var widths = header.map(\.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == 0 || i == cells.count - 1 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[i] - c.count) + c }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

/// A progress line on stderr (when it is a terminal, or SEARCHLIGHT_PROGRESS is set): a bar by
/// documents over all indices, the current index and docs/s, redrawn at most 5 times a second.
/// Log lines are printed above it.
final class MigrateProgress: @unchecked Sendable {
    // Invariant: every field is only touched under `lock`.
    let lock = NSLock()
    let live: Bool
    let enabled: Bool
    let start = Date()
    var lastDraw = Date.distantPast
    var drawn = false
    var last: Migrator.Progress?

    init(enabled: Bool) {
        self.enabled = enabled
        live = enabled && (isatty(2) != 0 || ProcessInfo.processInfo.environment["SEARCHLIGHT_PROGRESS"] != nil)
    }

    func log(_ s: String) {
        lock.withLock {
            FileHandle.standardError.write(Data(((drawn ? "\r\u{1B}[K" : "") + s + "\n").utf8))
            drawn = false
        }
    }

    func update(_ p: Migrator.Progress) {
        guard enabled else { return }
        lock.withLock {
            last = p
            let now = Date()
            guard live, now.timeIntervalSince(lastDraw) >= 0.2 else { return }
            lastDraw = now
            draw(p, now)
        }
    }

    func draw(_ p: Migrator.Progress, _ now: Date) {
        let frac = p.total > 0 ? min(1, Double(p.copied) / Double(p.total)) : 1
        let width = 30
        let filled = Int(frac * Double(width))
        let secs = max(now.timeIntervalSince(start), 1e-6)
        let line = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + String(format: "%3.0f%% ", frac * 100) + "\(p.copied)/\(p.total) docs  \(Int(Double(p.copied) / secs)) docs/s  "
            + "\(p.index) \(p.indexCopied)/\(p.indexTotal)"
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        drawn = true
    }

    func finish() {
        lock.withLock {
            if live, let last { draw(last, Date()) }
            if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
            drawn = false
        }
    }
}
