import JSON

/// One batch on its way to `_bulk`: the distinct request events of the lines added so far and one
/// partial `SessionSummary` per session, so a batch sends one update per session however many of
/// its events it holds. `body()` renders the NDJSON.
public struct LogBatch: Sendable {
    public let configuration: LogProcessor.Configuration
    let parser: LogParser
    public private(set) var events: [RequestEvent] = []
    var seen: Set<String> = []
    public private(set) var sessions: [String: SessionSummary] = [:]
    /// Sessions in first-seen order, so bodies are deterministic.
    var sessionOrder: [String] = []
    public internal(set) var counts = ProcessorCounts()

    public init(configuration: LogProcessor.Configuration) {
        self.configuration = configuration
        self.parser = LogParser(rules: configuration.rules)
    }

    public var lineCount: Int { counts.lines }
    public var isEmpty: Bool { events.isEmpty }

    /// Adds one log line (from a file, or a CloudWatch event's message).
    public mutating func add(line: some Collection<UInt8>, cloudWatch: CloudWatchLogEvent? = nil) {
        counts.lines += 1
        switch parser.parse(line, cloudWatch: cloudWatch) {
        case .skipped: counts.skipped += 1
        case .unparsable: counts.unparsable += 1
        case .event(let e): add(e)
        }
    }

    /// Adds a decoded subscription payload; control messages are counted and dropped.
    public mutating func add(payload: CloudWatchPayload) {
        if payload.isControlMessage { counts.controlMessages += 1; return }
        for e in payload.logEvents { add(line: e.message.utf8, cloudWatch: e) }
    }

    /// Adds newline-delimited log lines (blank lines are ignored).
    public mutating func add(lines body: [UInt8]) {
        body.withUnsafeBufferPointer { buf in
            var start = 0
            for i in 0...buf.count where i == buf.count || buf[i] == 0x0A {
                var end = i
                if end > start && buf[end - 1] == 0x0D { end -= 1 }
                let line = UnsafeBufferPointer(rebasing: buf[start..<end])
                start = i + 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                add(line: line)
            }
        }
    }

    public mutating func add(_ e: RequestEvent) {
        guard seen.insert(e.eventID).inserted else { counts.duplicates += 1; return }
        events.append(e)
        if configuration.writeSummaries, let sid = e.sessionID {
            if sessions[sid] == nil { sessionOrder.append(sid); sessions[sid] = SessionSummary(sessionID: sid) }
            sessions[sid]!.add(e)
        }
    }

    /// The `_bulk` NDJSON: `index` actions for the events (`_id` = event id, daily index by UTC
    /// date), then one scripted upsert per session.
    public func body() -> [UInt8] {
        var w = JSONWriter(capacity: events.count * 320 + sessions.count * 900)
        var dayCache: [Int64: [UInt8]] = [:]
        if configuration.writeEvents {
            for e in events {
                let day = UTCTime.dayNumber(e.timestamp)
                let prefix: [UInt8]
                if let p = dayCache[day] { prefix = p } else {
                    var pw = JSONWriter()
                    pw.writeRaw("{\"index\":{\"_index\":".utf8)
                    pw.writeString(configuration.eventsIndexPrefix + UTCTime.day(e.timestamp))
                    pw.writeRaw(",\"_id\":".utf8)
                    prefix = pw.bytes
                    dayCache[day] = prefix
                }
                w.writeRaw(prefix); w.writeString(e.eventID); w.writeRaw("}}\n".utf8)
                e.write(to: &w); w.writeRaw("\n".utf8)
            }
        }
        var scriptHead = JSONWriter()
        scriptHead.writeRaw("{\"script\":{\"source\":".utf8)
        scriptHead.writeString(SessionScript.source)
        scriptHead.writeRaw(",\"lang\":\"painless\",\"params\":".utf8)
        var updateHead = JSONWriter()
        updateHead.writeRaw("{\"update\":{\"_index\":".utf8)
        updateHead.writeString(configuration.summariesIndex)
        updateHead.writeRaw(",\"retry_on_conflict\":\(configuration.retryOnConflict),\"_id\":".utf8)
        for sid in sessionOrder {
            w.writeRaw(updateHead.bytes); w.writeString(sid); w.writeRaw("}}\n".utf8)
            w.writeRaw(scriptHead.bytes)
            sessions[sid]!.writeParams(to: &w)
            w.writeRaw("},\"scripted_upsert\":true,\"upsert\":{}}\n".utf8)
        }
        return w.bytes
    }

    /// Names of the daily indices this batch writes to.
    public var eventIndices: Set<String> {
        Set(events.map { configuration.eventsIndexPrefix + UTCTime.day($0.timestamp) })
    }

    /// The counts after sending: events and sessions written, plus item errors from the sink.
    public func finishedCounts(itemErrors: Int) -> ProcessorCounts {
        var c = counts
        c.events = events.count
        c.sessions = sessionOrder.count
        c.errors = itemErrors
        return c
    }
}
