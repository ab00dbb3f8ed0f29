import Index
import JSON
import Painless
import Testing

/// Each construct of the subset, evaluated standalone (the last expression is the result).
@Suite struct PainlessTests {
    func eval(_ src: String, _ params: JSONValue = [:]) throws -> JSONValue {
        try PainlessScript(src).evaluate(params: params)
    }

    @Test(arguments: [
        ("1 + 2 * 3", JSONValue.int(7)),
        ("7 / 2", .int(3)),
        ("7 % 3", .int(1)),
        ("7 / 2.0", .double(3.5)),
        ("-7 / 2", .int(-3)),
        ("1 + 2L", .int(3)),
        ("'a' + 1", .string("a1")),
        ("1 + 'a'", .string("1a")),
        ("'x' + 1.0", .string("x1.0")),
        ("'x' + null", .string("xnull")),
        ("'x' + [1, 'b']", .string("x[1, b]")),
        ("(1 + 2) * 3", .int(9)),
        ("2 > 1 && 1 >= 1 && 1 < 2 && 2 <= 2", .bool(true)),
        ("1 == 1.0", .bool(true)),
        ("'ab' == 'a' + 'b'", .bool(true)),
        ("'a' != 'b'", .bool(true)),
        ("!true || false", .bool(false)),
        ("true ? 1 : 2", .int(1)),
        ("null ?: 'd'", .string("d")),
        ("(int) 3.9", .int(3)),
        ("(double) 3", .double(3)),
        ("int x = 5; x += 2.5; x", .int(7)),
        ("long y = 1; y <<= 4; y", .int(16)),
        ("5 & 3 | 8", .int(9)),
        ("Math.max(3, 9) + Math.min(2, 1)", .int(10)),
        ("Math.max(1, 2.5)", .double(2.5)),
        ("Math.abs(-4)", .int(4)),
        ("Integer.parseInt('42') + 1", .int(43)),
        ("String.valueOf(12)", .string("12")),
        ("'abc'.compareTo('abd')", .int(-1)),
        ("'b'.compareTo('a') > 0", .bool(true)),
        ("'hello'.length()", .int(5)),
        ("'Hello'.toLowerCase().startsWith('he')", .bool(true)),
        ("'hello'.substring(1, 3)", .string("el")),
        ("'hello'.contains('ll') && 'a'.equals('a')", .bool(true)),
        ("[1, 2, 3].size()", .int(3)),
        ("[:].isEmpty()", .bool(true)),
        ("['a': 1, 'b': 2]", ["a": 1, "b": 2] as JSONValue),
        ("def l = [3, 1, 2]; Collections.sort(l); l", [1, 2, 3] as JSONValue),
        ("1 instanceof Integer && 'x' instanceof String && [] instanceof List", .bool(true)),
        ("Integer.MAX_VALUE", .int(2147483647)),
        ("1e3", .double(1000)),
        ("0x10", .int(16)),
        ("\"dq\" + 'sq'", .string("dqsq")),
    ])
    func expressions(src: String, expected: JSONValue) throws {
        #expect(try eval(src) == expected)
    }

    @Test func variablesAndTypes() throws {
        #expect(try eval("def a = 1; int b = 2; long c = 3L; double d = 0.5; String s = 'x'; boolean t = true; a + b + c + d + s + t")
                == "6.5xtrue")
        #expect(try eval("List l = new ArrayList(); Map m = new HashMap(); l.add(1); m.put('k', l); m") == ["k": [1]])
        #expect(try eval("int i; i") == 0)
        #expect(try eval("int a = 1, b = 2; a + b") == 3)
        #expect(try eval("var v = 'x'; for (var c : ['y']) { v += c } v") == "xy")
        #expect(try eval("int i = 2147483647; i = i + 1; i") == .int(-2147483648))
    }

    @Test func controlFlow() throws {
        #expect(try eval("int s = 0; for (int i = 0; i < 10; i++) { if (i == 3) continue; if (i == 6) break; s += i; } s") == 12)
        #expect(try eval("def s = ''; for (def x : ['a', 'b']) { s += x } s") == "ab")
        #expect(try eval("def s = 0; for (x in [1, 2, 3]) { s += x } return s;") == 6)
        #expect(try eval("int i = 0; while (i < 5) { i++; } i") == 5)
        #expect(try eval("int i = 0; do { i += 2 } while (i < 5); i") == 6)
        #expect(try eval("if (1 > 2) { return 'a' } else if (2 > 1) { return 'b' } else { return 'c' }") == "b")
        #expect(try eval("int n = 0; for (int i = 0; i < 3; ++i) for (int j = 0; j < 3; j++) { if (j == 1) break; n++ } n") == 3)
        #expect(try eval("int x = 1; if (x == 1) return 10; return 20;") == 10)
        // Comments and semicolon-free last statements.
        #expect(try eval("// one\n/* two */ 1 + 1") == 2)
    }

    @Test func collections() throws {
        #expect(try eval("def l = [1, 2]; l.addAll([2, 3]); l") == [1, 2, 2, 3])
        #expect(try eval("def l = ['a', 'b', 'c']; l.remove(1); l") == ["a", "c"])
        #expect(try eval("def l = ['a', 'b']; l.indexOf('b') * 10 + l.indexOf('z')") == 9)
        #expect(try eval("def l = [1, 2, 3]; l.get(0) + l[-1]") == 4)
        #expect(try eval("def l = [1]; l[0] = 5; l") == [5])
        #expect(try eval("def m = ['a': 1]; m.containsKey('a') && !m.containsKey('b')") == true)
        #expect(try eval("def m = ['a': 1]; m.getOrDefault('b', 7) + m.get('a')") == 8)
        #expect(try eval("def m = ['a': 1, 'b': 2]; m.remove('a'); m.keySet()") == ["b"])
        #expect(try eval("def m = [:]; m.x = 1; m['y'] = 2; m.size()") == 2)
        #expect(try eval("def s = new HashSet(); s.add(1); s.add(1); s.add(2); s.size()") == 2)
        #expect(try eval("def m = ['a': ['b': 1]]; m.a.b += 1; m.a.b++; m") == ["a": ["b": 3]])
        #expect(try eval("def l = []; def alias = l; alias.add(1); l") == [1])
        #expect(try eval("[1, [2]] == [1, [2]]") == true)
        #expect(try eval("def m = new HashMap(['a': 1]); m.put('b', 2); m") == ["a": 1, "b": 2])
        #expect(try eval("def s = ''; for (def e : ['a': 1, 'b': 2].entrySet()) { s += e.getKey() + '=' + e.getValue() + ';' } s") == "a=1;b=2;")
    }

    @Test func lambdas() throws {
        #expect(try eval("def l = ['a', 'b', 'a', 'c']; l.removeIf(x -> x == 'a'); l") == ["b", "c"])
        #expect(try eval("def l = [3, 1, 2]; l.sort((a, b) -> b - a); l") == [3, 2, 1])
        #expect(try eval("def l = [['n': 2], ['n': 1]]; l.sort((def a, def b) -> { return a.n.compareTo(b.n) }); l[0].n") == 1)
        #expect(try eval("int s = 0; [1, 2, 3].forEach(x -> { s += x }); s") == 6)
        #expect(try eval("def out = []; ['a': 1, 'b': 2].forEach((k, v) -> out.add(k + v)); out") == ["a1", "b2"])
        #expect(try eval("def t = params.tag; def l = ['x', 'y']; l.removeIf(e -> e == t); l", ["tag": "x"]) == ["y"])
        #expect(try eval("def l = []; for (int i = 0; i < 200; i++) { l.add((i * 37) % 101) } l.sort((a, b) -> a - b); l[0] + l[199]") == 100)
        #expect(failure("def f = x -> x;")?.phase == .compile)
    }

    /// Doubles print like Java's `Double.toString`; a subnormal used to trap (10^-324 underflows
    /// to 0, found by the HTTP fuzzer through `_scripts/painless/_execute`).
    @Test func doublesToStringIncludingExtremes() throws {
        #expect(try eval("'' + params.a", ["a": 1.5]) == "1.5")
        #expect(try eval("'' + params.a", ["a": 1.0e7]) == "1.0E7")
        #expect(try eval("'' + params.a", ["a": 2.5e-5]) == "2.5E-5")
        let tiny = try eval("'' + params.a", ["a": .double(5e-324)])
        #expect(tiny.stringValue?.hasPrefix("4.9") == true && tiny.stringValue?.hasSuffix("E-324") == true, "\(tiny)")
        let huge = try eval("'' + params.a", ["a": .double(Double.greatestFiniteMagnitude)])
        #expect(huge.stringValue?.hasPrefix("1.79") == true && huge.stringValue?.hasSuffix("E308") == true, "\(huge)")
        #expect(try eval("'' + [params.a]", ["a": .double(-5e-324)]).stringValue?.hasSuffix("E-324]") == true)
    }

    @Test func params() throws {
        #expect(try eval("params.a + params['b']", ["a": 1, "b": 2]) == 3)
        #expect(try eval("params.list.contains('x')", ["list": ["x"]]) == true)
        #expect(try eval("params.missing == null", [:]) == true)
        #expect(try eval("params.missing?.length()", [:]) == .null)
        #expect(try eval("params.s?.length()", ["s": "abc"]) == 3)
    }

    // MARK: Errors

    func failure(_ src: String, _ params: JSONValue = [:]) -> PainlessError? {
        do { _ = try eval(src, params); return nil } catch let e as PainlessError { return e } catch { return nil }
    }

    @Test(arguments: [
        ("1 +", 3, "unexpected end of script."),
        ("def x = 1; x = = 2", 15, "invalid sequence of tokens near ['=']."),
        ("x + 1", 0, "cannot resolve symbol [x]"),
        ("def a = 1; def a = 2;", 15, "variable [a] is already defined"),
        ("def f = x -> x;", 10, "invalid sequence of tokens near ['->']."),
        ("int[] a = new int[2];", 4, "invalid sequence of tokens near [']']."),
        ("1 # 2", 2, "invalid sequence of tokens near ['#']."),
        ("'abc", 0, "unexpected end of script."),
        ("Math.foo(1)", 0, "cannot resolve static method [Math, foo/1]"),
        ("1 = 2", 2, "invalid assignment: cannot assign a value to this expression"),
    ])
    func compileErrors(src: String, offset: Int, message: String) throws {
        let e = try #require(failure(src))
        #expect(e.phase == .compile)
        #expect(e.offset == offset)
        #expect(e.message == message)
    }

    @Test func deepNestingIsACompileError() throws {
        let e = try #require(failure(String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)))
        #expect(e.phase == .compile)
        let chain = try #require(failure(String(repeating: "!", count: 5000) + "true"))
        #expect(chain.phase == .compile)
        #expect(try eval(String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)) == 1)
        for deep in ["1" + String(repeating: " + 1", count: 5000), "def a = 0; " + String(repeating: "a = ", count: 5000) + "1",
                     "def m = [:]; m" + String(repeating: ".x", count: 5000), "true" + String(repeating: " && true", count: 5000),
                     "null" + String(repeating: " ?: null", count: 5000), String(repeating: "{", count: 5000)] {
            #expect(failure(deep)?.phase == .compile)
        }
        #expect(try eval("1" + String(repeating: " + 1", count: 200)) == 201)
    }

    @Test func deepStructuresDoNotOverflowTheStack() throws {
        // Built, dropped and freed without recursion; converting it to JSON is refused.
        #expect(try eval("def m = [:]; for (int i = 0; i < 200000; i++) { m = ['x': m] } m = null; 1") == 1)
        #expect(failure("def m = [:]; for (int i = 0; i < 100000; i++) { m = ['x': m] } m")?.type == "illegal_argument_exception")
        #expect(try eval("def l = []; for (int i = 0; i < 100000; i++) { l = [l] } ('' + l).length() > 0") == true)
    }

    @Test(arguments: [
        ("def m = null; m.x", "null_pointer_exception", 16),
        ("params.a.b", "null_pointer_exception", 9),
        ("def m = null; m.size()", "null_pointer_exception", 16),
        ("String s = 1", "class_cast_exception", 7),
        ("'a' - 1", "class_cast_exception", 4),
        ("if (1) { }", "class_cast_exception", 4),
        ("[1, 2][5]", "index_out_of_bounds_exception", 6),
        ("[1].get(3)", "index_out_of_bounds_exception", 4),
        ("1 / 0", "arithmetic_exception", 2),
        ("[1].foo()", "illegal_argument_exception", 4),
        ("while (true) {}", "painless_error", 0),
        ("[1].map(x -> x)", "illegal_argument_exception", 4),
        ("if (params.x == null) { throw new IllegalArgumentException('x is required') }", "illegal_argument_exception", 24),
    ])
    func runtimeErrors(src: String, type: String, offset: Int) throws {
        let e = try #require(failure(src))
        #expect(e.phase == .runtime)
        #expect(e.type == type)
        #expect(e.offset == offset)
    }

    @Test func scriptExceptionShape() throws {
        let e = try #require(failure("ctx._source.x = ;"))
        let body = e.scriptException(source: "ctx._source.x = ;").body
        #expect(body["type"] == "script_exception")
        #expect(body["reason"] == "compile error")
        #expect(body["lang"] == "painless")
        #expect(body["script"] == "ctx._source.x = ;")
        #expect(body["position"] == ["offset": 16, "start": 0, "end": 17])
        #expect(body["script_stack"] == ["ctx._source.x = ;", "                ^---- HERE"])
        #expect(body["caused_by"]?["type"] == "illegal_argument_exception")
    }

    @Test func debugExplain() throws {
        let e = try #require(failure("Debug.explain(params.m)", ["m": ["a": 1]]))
        #expect(e.type == "painless_explain_error")
        let body = e.scriptException(source: "Debug.explain(params.m)").body
        #expect(body["painless_class"] == "java.util.HashMap")
        #expect(body["to_string"] == "{a=1}")
    }

    @Test func selfReference() throws {
        let s = try PainlessScript("ctx._source.ctx = ctx")
        #expect(throws: PainlessError.self) {
            try s.update(source: JSONObject([("a", 1)]), params: nil, now: 0, upsert: false, index: "i", id: "1", version: 1, routing: nil)
        }
    }

    // MARK: Update context

    @Test func updateContext() throws {
        let s = try PainlessScript("ctx._source.count += params.n; ctx._source.tags.add('b'); ctx._source.seen = ctx._now; ctx._source.v = ctx._version")
        let out = try s.update(source: JSONObject([("count", 1), ("tags", ["a"])]), params: JSONObject([("n", 2)]), now: 99,
                               upsert: false, index: "i", id: "1", version: 4, routing: nil)
        #expect(out.op == .index)
        #expect(JSONValue.object(out.source) == ["count": 3, "tags": ["a", "b"], "seen": 99, "v": 4])
        let none = try PainlessScript("if (ctx._source.count > 0) { ctx.op = 'none' }")
        #expect(try none.update(source: JSONObject([("count", 1)]), params: nil, now: 0, upsert: false, index: "i", id: "1", version: 1, routing: nil).op == .none)
        let del = try PainlessScript("ctx.op = 'delete'")
        #expect(try del.update(source: JSONObject(), params: nil, now: 0, upsert: false, index: "i", id: "1", version: 1, routing: nil).op == .delete)
        let ups = try PainlessScript("ctx._source.created = ctx.op")
        let u = try ups.update(source: JSONObject(), params: nil, now: 0, upsert: true, index: "i", id: "1", version: 0, routing: nil)
        #expect(u.op == .create)
        #expect(JSONValue.object(u.source) == ["created": "create"])
    }

    @Test func cacheCompilesOnce() throws {
        let cache = ScriptCache(capacity: 2)
        _ = try cache.script("1")
        _ = try cache.script("1")
        #expect(cache.compilations == 1)
        _ = try cache.script("2")
        _ = try cache.script("3")
        #expect(cache.count == 2)
        #expect(cache.evictions == 1)
    }

    @Test func scriptSpecParsing() throws {
        #expect(try ScriptSpec.parse("ctx.op = 'none'") == ScriptSpec(source: "ctx.op = 'none'"))
        let s = try ScriptSpec.parse(["source": "x", "lang": "painless", "params": ["a": 1]])
        #expect(s.params == JSONObject([("a", 1)]))
        #expect(throws: OpenSearchError.self) { try ScriptSpec.parse(["lang": "painless"]) }
        #expect(throws: OpenSearchError.self) { try ScriptSpec.parse(["source": "x", "lang": "expression"]).compiled() }
        #expect(throws: OpenSearchError.self) { try ScriptSpec(source: String(repeating: "1;", count: 40_000)).compiled() }
    }
}
