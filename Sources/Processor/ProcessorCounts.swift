import JSON

/// What a run did with its input, answered by `POST /_processor/cloudwatch` and printed by
/// `searchlight ingest`: bad lines are counted, never fatal.
public struct ProcessorCounts: Sendable, Equatable {
    public var lines = 0
    public var events = 0
    public var sessions = 0
    public var skipped = 0
    public var unparsable = 0
    /// Events repeated inside one batch (sent once).
    public var duplicates = 0
    public var controlMessages = 0
    /// `_bulk` items that failed.
    public var errors = 0
    /// Input bytes these counts cover (drives the progress bar; not part of the JSON answer).
    public var inputBytes: Int64 = 0

    public init() {}

    public static func += (a: inout ProcessorCounts, b: ProcessorCounts) {
        a.lines += b.lines; a.events += b.events; a.sessions += b.sessions; a.skipped += b.skipped
        a.unparsable += b.unparsable; a.duplicates += b.duplicates; a.controlMessages += b.controlMessages; a.errors += b.errors
        a.inputBytes += b.inputBytes
    }

    public var json: JSONValue {
        .object(JSONObject([("lines", .number(lines)), ("events", .number(events)), ("sessions", .number(sessions)),
                            ("skipped", .number(skipped)), ("unparsable", .number(unparsable)), ("duplicates", .number(duplicates)),
                            ("control_messages", .number(controlMessages)), ("errors", .number(errors))]))
    }
}
