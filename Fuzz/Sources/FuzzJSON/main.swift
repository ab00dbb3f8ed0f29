import FuzzDriver
import JSON

/// Any bytes → the JSON parser. What it accepts must serialise to JSON that parses back to the
/// same value (the writer and the parser agree on every value the parser can produce), except
/// that a number past Double's range (`1e400`, parsed as infinity, as Jackson does) is written as
/// `null`, on purpose.
runFuzzer { data in
    let value = try JSONParser.parse(buffer: data.bindMemory(to: UInt8.self))
    let written = JSONWriter.serialize(value)
    let again: JSONValue
    do { again = try JSONParser.parse(written) } catch {
        fatalError("the writer's output does not parse: \(error): \(String(decoding: written, as: UTF8.self))")
    }
    precondition(again == finite(value), "round trip changed the value: \(value) -> \(again)")
}

/// `v` with every non-finite double replaced by null (what the writer emits for them).
func finite(_ v: JSONValue) -> JSONValue {
    switch v {
    case .double(let d) where !d.isFinite: return .null
    case .array(let a): return .array(a.map(finite))
    case .object(let o): return .object(JSONObject(o.map { ($0.0, finite($0.1)) }))
    default: return v
    }
}
