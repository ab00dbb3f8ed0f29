import JSON
import Logging
import Node

/// OpenSearch's search slow log: a search that took at least one of the index's
/// `index.search.slowlog.threshold.query.{warn,info,debug,trace}` settings (dynamic, per index;
/// `-1` or absent: off) is logged once per index at the highest level whose threshold it reached,
/// on the `index.search.slowlog.query` logger, with the time taken and the request source.
enum SearchSlowLog {
    static let logger = Logger(label: "index.search.slowlog.query")
    static let levels: [(String, Logger.Level)] = [("warn", .warning), ("info", .info), ("debug", .debug), ("trace", .trace)]

    /// The level a search of `tookNanos` is logged at under `settings`, or nil.
    static func level(_ settings: IndexSettings, tookNanos: UInt64) -> Logger.Level? {
        for (name, level) in levels {
            guard let raw = settings["index.search.slowlog.threshold.query.\(name)"], raw != "-1",
                  let ms = TimeValue.parseMillis(raw), ms >= 0 else { continue }
            if tookNanos >= UInt64(ms) * 1_000_000 { return level }
        }
        return nil
    }

    static func record(indices: [String], node: Node, tookNanos: UInt64, totalHits: JSONValue?, source: [UInt8]) {
        for name in indices {
            guard let svc = node.index(named: name), let level = level(svc.settings, tookNanos: tookNanos) else { continue }
            let millis = Double(tookNanos) / 1_000_000
            let text = String(decoding: source, as: UTF8.self)
            logger.log(level: level, "[\(name)][0] took[\(millis)ms], took_millis[\(tookNanos / 1_000_000)], total_hits[\(totalHits.map { JSONWriter.string($0) } ?? "")], search_type[QUERY_THEN_FETCH], total_shards[1], source[\(text)]",
                       metadata: ["index": .string(name), "took_millis": .stringConvertible(tookNanos / 1_000_000)])
        }
    }
}
