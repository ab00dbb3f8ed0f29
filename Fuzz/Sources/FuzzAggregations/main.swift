import FuzzDriver
import JSON
@testable import Aggregations

/// JSON → the aggregation parser (`aggs` of a search body, with pipelines and sub-aggregations).
runFuzzer { data in
    let json = try JSONParser.parse(buffer: data.bindMemory(to: UInt8.self))
    _ = try AggregationParser.parse(json)
}
