import FuzzDriver
import JSON
import Painless

/// Text → the Painless lexer, parser and compiler, and what compiles is run once with a few
/// params (loops are bounded by `PainlessScript.maxLoopIterations`).
let params: JSONValue = .object(JSONObject([
    ("n", .int(3)), ("s", .string("abc")), ("d", .double(2.5)), ("l", .array([.int(1), .int(2)])),
    ("m", .object(JSONObject([("k", .string("v"))]))),
]))

runFuzzer { data in
    guard let source = utf8Text(data) else { return }
    let script = try PainlessScript(source)
    _ = try script.evaluate(params: params)
}
