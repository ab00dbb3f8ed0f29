import ArgumentParser
import Foundation
import Logging
import Node

/// `searchlight repair`: offline recovery of red indices (see `IndexRepair`).
struct Repair: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recover indices that failed their checksums at start-up (run with the server stopped).",
        discussion: """
            Damaged segment files are dropped from the index's commit point and moved to <data>/corrupt/<uuid>/; \
            the intact segments and the translog tail are kept and replayed. Prints what each index lost. \
            Exits 1 when an index is still red afterwards.
            """)

    @Option(help: "Data directory of the stopped server.") var data = "./data"
    @Option(help: "Only this index (default: every index).") var index: String?

    func run() async throws {
        guard FileManager.default.fileExists(atPath: "\(data)/catalog.sqlite") else {
            throw StartupError("no catalog at \(data)/catalog.sqlite (is --data right?)")
        }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .warning
            return h
        }
        let reports = try await IndexRepair.run(dataPath: data, index: index)
        var stillRed = false
        print("index".padding(toLength: 28, withPad: " ", startingAt: 0) + " before  after  segments-dropped  docs-lost  translog-ops  docs-now")
        for r in reports {
            let lost = r.documentsLost.map(String.init) ?? "unknown"
            print(r.name.padding(toLength: 28, withPad: " ", startingAt: 0) + " "
                  + r.healthBefore.padding(toLength: 7, withPad: " ", startingAt: 0) + " "
                  + r.healthAfter.padding(toLength: 6, withPad: " ", startingAt: 0) + " "
                  + String(r.dropped.count).padding(toLength: 17, withPad: " ", startingAt: 0) + " "
                  + lost.padding(toLength: 10, withPad: " ", startingAt: 0) + " "
                  + String(r.translogOperations).padding(toLength: 13, withPad: " ", startingAt: 0) + " "
                  + String(r.docCountAfter))
            for d in r.dropped {
                let docs = d.docCount.map { "\($0) docs" } ?? "unreadable header"
                let live = d.liveCount.map { ", \($0) live" } ?? ""
                print("  dropped \(d.file) (\(docs)\(live)): \(d.problem)")
                for m in d.movedTo { print("    moved to \(m)") }
            }
            if let p = r.remainingProblem { print("  STILL RED: \(p)"); stillRed = true }
        }
        let repaired = reports.filter { !$0.dropped.isEmpty }
        let lostTotal = repaired.compactMap(\.documentsLost).reduce(0, +)
        print("repaired \(repaired.count) of \(reports.count) indices; \(lostTotal) documents lost\(repaired.contains { $0.documentsLost == nil } ? " (plus segments with unreadable headers)" : "")")
        if stillRed { throw ExitCode(1) }
    }
}
