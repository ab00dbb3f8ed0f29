import JSON

/// A compiled Painless script: immutable, shareable across threads, run many times.
public struct PainlessScript: Sendable {
    public let source: String
    let body: Exec
    let slotCount: Int
    /// Painless's `script.painless.regex.limit-factor` sibling: loop iterations per execution.
    public static let maxLoopIterations = 1_000_000

    /// Parses and compiles; every syntax or name error carries its offset.
    public init(_ source: String) throws(PainlessError) {
        let ast = try Parser.parse(source)
        var c = Compiler()
        body = try c.compileScript(ast)
        slotCount = c.slotCount
        self.source = source
    }

    /// Runs with `ctx` and `params` bound; returns the script's value (`return x`, or its last expression).
    /// Runs with `ctx` and `params` bound, hands the frame to `read` for the results, then
    /// empties every collection the execution could reach (see `Value.teardown`).
    func run<R>(ctx: Value, params: Value, _ read: (Value) throws(PainlessError) -> R) throws(PainlessError) -> R {
        let f = Frame(slotCount: slotCount, maxLoops: PainlessScript.maxLoopIterations)
        f.slots[0] = ctx
        f.slots[1] = params
        defer {
            Value.teardown(f.slots + [f.returnValue])
            f.slots = []
        }
        _ = try body(f)
        return try read(f.returnValue)
    }

    /// The script's value as Java's `String.valueOf` prints it (the execute API's `painless_test`).
    public func evaluateToString(params: JSONValue = .object(JSONObject())) throws(PainlessError) -> String {
        try run(ctx: .map(PainlessMap()), params: Value(params)) { v in v.javaString }
    }

    /// Evaluates a standalone script (tests, `_scripts/painless/_execute`-like uses).
    public func evaluate(params: JSONValue = .object(JSONObject())) throws(PainlessError) -> JSONValue {
        try run(ctx: .map(PainlessMap()), params: Value(params)) { v throws(PainlessError) in try v.json() }
    }
}

/// What an update script decided (`ctx.op`) and the document it left in `ctx._source`.
public struct UpdateOutcome: Sendable {
    public enum Operation: String, Sendable { case index, create, delete, none }
    public var op: Operation
    public var source: JSONObject
}

extension PainlessScript {
    /// Runs an update script the way OpenSearch's UpdateHelper does: `ctx` holds `op` (`index`, or
    /// `create` for a scripted upsert), `_source`, `_now`, and for existing documents `_index`,
    /// `_id`, `_version`, `_routing`. An unknown `op` is a no-op, as in OpenSearch.
    public func update(source: JSONObject, params: JSONObject?, now: Int64, upsert: Bool,
                       index: String, id: String, version: Int64, routing: String?) throws(PainlessError) -> UpdateOutcome {
        let ctx = PainlessMap(capacity: 7)
        ctx.put("op", .string(upsert ? "create" : "index"))
        if !upsert {
            ctx.put("_index", .string(index))
            ctx.put("_id", .string(id))
            ctx.put("_version", .int(version))
            ctx.put("_routing", routing.map { .string($0) } ?? .null)
        }
        let src = Value(.object(source))
        ctx.put("_source", src)
        ctx.put("_now", .int(now))
        return try run(ctx: .map(ctx), params: params.map { Value(.object($0)) } ?? .map(PainlessMap())) { _ throws(PainlessError) in
            try PainlessScript.outcome(ctx, original: source, upsert: upsert)
        }
    }

    static func outcome(_ ctx: PainlessMap, original source: JSONObject, upsert: Bool) throws(PainlessError) -> UpdateOutcome {
        var op: UpdateOutcome.Operation
        switch ctx["op"] {
        case .string(let s)?: op = UpdateOutcome.Operation(rawValue: s == "noop" ? "none" : s) ?? .none
        default: op = .none
        }
        if upsert && op != .create && op != .none { op = .none }
        if !upsert && op == .create { op = .none }
        guard case .map(let m)? = ctx["_source"] else {
            if op == .none || op == .delete { return UpdateOutcome(op: op, source: source) }
            throw PainlessError(.runtime, "class_cast_exception", "ctx._source must be a map", at: -1)
        }
        guard case .object(let out) = try Value.map(m).json() else { return UpdateOutcome(op: op, source: source) }
        return UpdateOutcome(op: op, source: out)
    }
}
