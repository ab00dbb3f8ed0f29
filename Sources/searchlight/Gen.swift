import ArgumentParser
import Foundation
import Processor

/// `searchlight gen`: synthetic application request logs (JSON lines or CloudWatch payloads).
struct Gen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write synthetic application request logs for demos and benchmarks.")

    @Option(help: "Log lines to write (health checks and static assets included).") var events = 10_000
    @Option(help: "Days the events span, ending at --end.") var days = 7
    @Option(help: "Distinct users (zipf-skewed).") var users = 1_000
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "End of the time span (ISO-8601, default 2026-11-23T00:00:00Z).") var end: String?
    @Flag(help: "Write CloudWatch Logs subscription envelopes ({\"awslogs\":{\"data\":…}}, one per line) instead of JSON lines.")
    var cloudwatch = false
    @Option(help: "Log events per CloudWatch payload.") var payloadSize = 500
    @Option(name: .shortAndLong, help: "Output file (default standard output).") var output: String?

    func run() async throws {
        var g = LogGenerator()
        g.events = events
        g.days = max(1, days)
        g.users = max(1, users)
        g.seed = seed
        g.payloadSize = max(1, payloadSize)
        if let end {
            guard let ms = UTCTime.parseISO(end) else { throw ValidationError("--end must be an ISO-8601 date") }
            g.endMs = ms
        }
        let lines = cloudwatch ? try g.cloudWatchEnvelopes() : g.lines()
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
                throw ValidationError("cannot write \(output)")
            }
            handle = h
        } else {
            handle = FileHandle.standardOutput
        }
        var buf: [UInt8] = []
        buf.reserveCapacity(1 << 22)
        for l in lines {
            buf.append(contentsOf: l.utf8); buf.append(0x0A)
            if buf.count >= 1 << 22 { handle.write(Data(buf)); buf.removeAll(keepingCapacity: true) }
        }
        handle.write(Data(buf))
        if output != nil { try handle.close() }
    }
}
