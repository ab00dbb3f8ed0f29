import JSON
import Logging

/// OpenSearch's indexing slow log: a write batch that took at least one of the index's
/// `index.indexing.slowlog.threshold.index.{warn,info,debug,trace}` settings is logged on the
/// `index.indexing.slowlog.index` logger at the highest level it reached, with the first
/// document's id and source (cut to `index.indexing.slowlog.source` characters, 1000 by default).
enum IndexingSlowLog {
    static let logger = Logger(label: "index.indexing.slowlog.index")
    static let levels: [(String, Logger.Level)] = [("warn", .warning), ("info", .info), ("debug", .debug), ("trace", .trace)]

    static func level(_ settings: IndexSettings, tookNanos: UInt64) -> Logger.Level? {
        for (name, level) in levels {
            guard let raw = settings["index.indexing.slowlog.threshold.index.\(name)"], raw != "-1",
                  let ms = TimeValue.parseMillis(raw), ms >= 0 else { continue }
            if tookNanos >= UInt64(ms) * 1_000_000 { return level }
        }
        return nil
    }

    static func record(index: String, settings: IndexSettings, ops: [WriteOperation], tookNanos: UInt64) {
        guard let level = level(settings, tookNanos: tookNanos), let first = ops.first else { return }
        let limit = settings.int("index.indexing.slowlog.source", default: 1000)
        var id = "", source = ""
        switch first {
        case .index(let i, _, let raw, _, _): id = i ?? ""; source = String(String(decoding: raw, as: UTF8.self).prefix(limit))
        case .delete(let i, _): id = i
        case .update(let i, _): id = i
        }
        logger.log(level: level, "[\(index)/0] took[\(Double(tookNanos) / 1_000_000)ms], took_millis[\(tookNanos / 1_000_000)], docs[\(ops.count)], id[\(id)], source[\(source)]",
                   metadata: ["index": .string(index), "took_millis": .stringConvertible(tookNanos / 1_000_000)])
    }
}
