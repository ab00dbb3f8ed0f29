import FuzzDriver
import JSON
@testable import Query

/// JSON → the query DSL parser (`query` of a search body). Input that is not JSON is dropped
/// early: the JSON parser has its own target.
runFuzzer { data in
    let json = try JSONParser.parse(buffer: data.bindMemory(to: UInt8.self))
    _ = try QueryParser.parse(json)
}
