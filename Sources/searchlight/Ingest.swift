import ArgumentParser
import Foundation
import Processor

/// `searchlight ingest FILE…|-`: JSON log lines or CloudWatch payload files through the processor
/// into a running node over HTTP `_bulk`, with a progress line on stderr.
struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Process application logs (JSON lines or CloudWatch Logs payloads) into request events and session summaries.")

    @Argument(help: "Files of JSON log lines or CloudWatch payloads (one envelope per line); '-' reads standard input.")
    var files: [String] = ["-"]
    @Option(help: "Searchlight or OpenSearch URL.") var url = "http://127.0.0.1:9200"
    @Option(help: "Log lines per _bulk request.") var batchSize = 5000
    @Option(help: "_bulk requests in flight.") var concurrency = 4
    @Option(help: "Prefix of the daily event indices.") var eventsIndexPrefix = "request-events-"
    @Option(help: "Index of the session summaries.") var summariesIndex = "session-summaries"
    @Option(help: "Comma-separated paths to skip (replaces the default health-check list).") var skipPaths: String?
    @Option(help: "Comma-separated file extensions to skip (replaces the default static-asset list).") var skipExtensions: String?
    @Option(help: "Comma-separated HTTP methods to skip (default OPTIONS).") var skipMethods: String?
    @Flag(help: "Write request events only, no session summaries.") var noSummaries = false
    @Flag(help: "Write session summaries only, no request events.") var noEvents = false
    @Flag(help: "No progress line.") var quiet = false
    @OptionGroup var credentials: ClientCredentials
    @Flag(help: "Process and render the _bulk bodies but send nothing (measures the client side).") var dryRun = false

    func run() async throws {
        var c = LogProcessor.Configuration()
        c.batchSize = max(1, batchSize)
        c.concurrency = max(1, concurrency)
        c.eventsIndexPrefix = eventsIndexPrefix
        c.summariesIndex = summariesIndex
        func list(_ s: String?) -> Set<String>? { s.map { Set($0.split(separator: ",").map(String.init)) } }
        c.rules = FilterRules(skipPaths: list(skipPaths) ?? FilterRules.defaultSkipPaths,
                              skipExtensions: list(skipExtensions) ?? FilterRules.defaultSkipExtensions,
                              skipMethods: list(skipMethods) ?? FilterRules.defaultSkipMethods)
        c.writeSummaries = !noSummaries
        c.writeEvents = !noEvents
        let inputs: [LogProcessor.Input] = files.map { $0 == "-" ? .standardInput : .file($0) }
        let totalBytes: Int64 = files.reduce(0) { acc, f in
            f == "-" ? acc : acc + ((try? FileManager.default.attributesOfItem(atPath: f)[.size] as? NSNumber)?.int64Value ?? 0)
        }
        let bar = ProgressBar(totalBytes: totalBytes, enabled: !quiet)
        let started = Date()
        let processor = LogProcessor(configuration: c)
        let counts = dryRun ? try await processor.run(inputs, sink: DiscardingSink()) { counts in bar.update(counts) }
            : try await processor.run(inputs, sink: try HTTPBulkSink(url: url, authorization: try credentials.header())) { counts in bar.update(counts) }
        bar.finish()
        let secs = max(Date().timeIntervalSince(started), 1e-6)
        let summary = "lines \(counts.lines), events \(counts.events), session updates \(counts.sessions), skipped \(counts.skipped), "
            + "unparsable \(counts.unparsable), duplicates \(counts.duplicates), control messages \(counts.controlMessages), "
            + "errors \(counts.errors) in \(String(format: "%.2f", secs)) s (\(Int(Double(counts.lines) / secs)) lines/s)\n"
        FileHandle.standardError.write(Data(summary.utf8))
        if counts.errors > 0 { throw ExitCode(1) }
    }
}

/// A one-line progress display on stderr (when it is a terminal, or SEARCHLIGHT_PROGRESS is set):
/// a bar by acknowledged input bytes (when the size is known), lines and lines/s. Redrawn at most
/// 5 times a second.
final class ProgressBar: @unchecked Sendable {
    // Invariant: every field is only touched under `lock`.
    let lock = NSLock()
    let totalBytes: Int64
    let enabled: Bool
    let start = Date()
    var lastDraw = Date.distantPast
    var drewOnce = false

    init(totalBytes: Int64, enabled: Bool) {
        self.totalBytes = totalBytes
        self.enabled = enabled && isatty(2) != 0 || enabled && ProcessInfo.processInfo.environment["SEARCHLIGHT_PROGRESS"] != nil
    }

    func update(_ c: ProcessorCounts) {
        let bytes = c.inputBytes
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        drewOnce = true
        let secs = max(now.timeIntervalSince(start), 1e-6)
        var line = ""
        if totalBytes > 0 {
            let frac = min(1, Double(bytes) / Double(totalBytes))
            let width = 30
            let filled = Int(frac * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            line += String(format: "%3.0f%% ", frac * 100)
        }
        line += "\(c.lines) lines  \(Int(Double(c.lines) / secs)) lines/s  \(c.events) events  \(c.sessions) session updates"
        if c.unparsable + c.errors > 0 { line += "  \(c.unparsable) unparsable  \(c.errors) errors" }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drewOnce { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// `--dry-run`: accepts every batch without sending it.
struct DiscardingSink: BulkSink {
    func ensureIndex(_ name: String, body: String) async throws(ProcessorError) {}
    func bulk(_ body: [UInt8]) async throws(ProcessorError) -> BulkOutcome { BulkOutcome() }
}
