import Foundation

/// The embeddable processor: configuration (index names, filter rules, batch size), batching of
/// log lines and CloudWatch payloads into `_bulk` bodies, and a driver that streams inputs into a
/// `BulkSink` with a few requests in flight. `searchlight ingest` and `POST /_processor/cloudwatch`
/// are thin shells around it.
public struct LogProcessor: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Events go to `<prefix>YYYY.MM.DD` by their UTC date.
        public var eventsIndexPrefix = "request-events-"
        public var summariesIndex = "session-summaries"
        public var rules = FilterRules()
        public var retryOnConflict = 3
        public var writeEvents = true
        public var writeSummaries = true
        /// Log lines per `_bulk` request.
        public var batchSize = 5000
        /// `_bulk` requests in flight: 4, like opensearch-py's `parallel_bulk`. The server writes
        /// each index on its own queue, so with 2 a request often waited behind the other's refresh.
        public var concurrency = 4

        public init() {}
    }

    /// Where lines come from.
    public enum Input: Sendable, Equatable {
        case file(String)
        case standardInput
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    public func newBatch() -> LogBatch { LogBatch(configuration: configuration) }

    /// Processes one request body (a subscription payload, or JSON lines) into a batch.
    public func batch(body: [UInt8]) throws(ProcessorError) -> LogBatch {
        var b = newBatch()
        if LogProcessor.looksLikePayload(body[...]) {
            b.add(payload: try CloudWatchPayload.decode(body))
        } else {
            b.add(lines: body)
        }
        return b
    }

    /// A line that is a CloudWatch envelope or decoded payload rather than an application log line.
    public static func looksLikePayload(_ line: ArraySlice<UInt8>) -> Bool {
        // Byte scan of the head: this runs for every input line.
        let head = line.prefix(64)
        var i = head.startIndex
        while i < head.endIndex, head[i] == 0x20 || head[i] == 0x09 { i += 1 }
        guard i < head.endIndex, head[i] == UInt8(ascii: "{") else { return false }
        for needle in payloadKeys {
            var j = i
            while j + needle.count <= head.endIndex {
                if head[j] == 0x22, head[j..<(j + needle.count)].elementsEqual(needle) { return true }
                j += 1
            }
        }
        return false
    }

    static let payloadKeys: [[UInt8]] = [Array("\"awslogs\"".utf8), Array("\"messageType\"".utf8), Array("\"logEvents\"".utf8)]

    /// Progress after each acknowledged batch: cumulative counts (`inputBytes`: input bytes acknowledged).
    public typealias Progress = @Sendable (_ counts: ProcessorCounts) -> Void

    /// Streams the inputs through batches into the sink. Bad lines and bad payload lines are
    /// counted; only sink failures (the server refusing a whole request) stop the run.
    public func run(_ inputs: [Input], sink: some BulkSink, progress: Progress? = nil) async throws(ProcessorError) -> ProcessorCounts {
        if configuration.writeSummaries {
            try await sink.ensureIndex(configuration.summariesIndex, body: SessionScript.summaryIndexBody)
        }
        let result: Result<ProcessorCounts, ProcessorError> = await withTaskGroup(of: Result<ProcessorCounts, ProcessorError>.self) { group in
            var total = ProcessorCounts()
            var inFlight = 0
            var failure: ProcessorError?
            var batch = newBatch()

            func collect(_ r: Result<ProcessorCounts, ProcessorError>?) {
                inFlight -= 1
                switch r {
                case .success(let c)?: total += c; progress?(total)
                case .failure(let e)?: if failure == nil { failure = e }
                case nil: break
                }
            }
            func submit(_ b: LogBatch) async {
                while inFlight >= max(1, configuration.concurrency) { collect(await group.next()) }
                inFlight += 1
                group.addTask {
                    if b.isEmpty { return .success(b.finishedCounts(itemErrors: 0)) }
                    do throws(ProcessorError) {
                        let outcome = try await sink.bulk(b.body())
                        if let e = outcome.firstError { FileHandle.standardError.write(Data("bulk item error: \(e.prefix(500))\n".utf8)) }
                        return .success(b.finishedCounts(itemErrors: outcome.itemErrors))
                    } catch { return .failure(error) }
                }
            }

            for input in inputs {
                guard failure == nil else { break }
                let reader: LineReader
                do throws(ProcessorError) { reader = try LineReader(input) } catch { failure = error; break }
                while failure == nil, let chunk = reader.nextChunk() {
                    var lines: [ArraySlice<UInt8>] = []
                    var start = chunk.startIndex
                    for i in chunk.indices where chunk[i] == 0x0A { lines.append(chunk[start..<i]); start = i + 1 }
                    if start < chunk.endIndex { lines.append(chunk[start...]) }
                    for var line in lines {
                        batch.counts.inputBytes += Int64(line.count + 1)
                        if line.last == 0x0D { line = line.dropLast() }
                        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                        if LogProcessor.looksLikePayload(line) {
                            do throws(ProcessorError) { batch.add(payload: try CloudWatchPayload.decode(line)) } catch {
                                batch.countUnparsablePayload()
                                FileHandle.standardError.write(Data("skipping a CloudWatch payload: \(error)\n".utf8))
                            }
                        } else {
                            batch.add(line: line)
                        }
                        if batch.lineCount >= configuration.batchSize {
                            await submit(batch)
                            batch = newBatch()
                        }
                    }
                }
            }
            if batch.lineCount > 0 || batch.counts.controlMessages > 0 { await submit(batch) }
            while inFlight > 0 { collect(await group.next()) }
            if let failure { return .failure(failure) }
            return .success(total)
        }
        return try result.get()
    }
}

extension LogBatch {
    mutating func countUnparsablePayload() { counts.lines += 1; counts.unparsable += 1 }
}
