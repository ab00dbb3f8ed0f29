/// One entry of a subscription payload's `logEvents`: CloudWatch's unique event id, the
/// ingestion timestamp (epoch millis) and the raw message (here: one application log line).
public struct CloudWatchLogEvent: Sendable, Equatable {
    public var id: String
    public var timestamp: Int64
    public var message: String

    public init(id: String, timestamp: Int64, message: String) {
        self.id = id
        self.timestamp = timestamp
        self.message = message
    }
}
