import Testing
import JSON
@testable import Index

@Suite struct DynamicMappingTests {
    @Test func stringBecomesTextWithKeywordSubfield() throws {
        let p = try parseDoc(#"{"title":"Hello World"}"#)
        let m = try #require(p.updatedMapping)
        let f = try #require(m.properties["title"])
        #expect(f.type == .text)
        #expect(f.fields["keyword"]?.type == .keyword)
        #expect(f.fields["keyword"]?.ignoreAbove == 256)
        #expect(p.values("title") == [.text("Hello World")])
        #expect(p.values("title.keyword") == [.keyword("Hello World")])
        #expect(JSONWriter.string(m.json) ==
                #"{"properties":{"title":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}}}}"#)
    }

    @Test func longStringsSkipTheKeywordSubfield() throws {
        let long = String(repeating: "x", count: 257)
        let p = try parseDoc("{\"s\":\"\(long)\"}")
        #expect(p.values("s") == [.text(long)])
        #expect(p.values("s.keyword").isEmpty)
        let exact = String(repeating: "y", count: 256)
        #expect(try parseDoc("{\"s\":\"\(exact)\"}").values("s.keyword") == [.keyword(exact)])
    }

    @Test(arguments: [
        (#"{"v":42}"#, FieldType.long, FieldValue.long(42)),
        (#"{"v":-9223372036854775808}"#, .long, .long(Int64.min)),
        (#"{"v":1.5}"#, .float, .double(1.5)),
        (#"{"v":true}"#, .boolean, .bool(true)),
        (#"{"v":false}"#, .boolean, .bool(false)),
        (#"{"v":"2024-01-15"}"#, .date, .date(1_705_276_800_000)),
        (#"{"v":"2024-01-15T10:20:30.123Z"}"#, .date, .date(1_705_314_030_123)),
        (#"{"v":"2024-02-30"}"#, .text, .text("2024-02-30")),     // not a real date: stays a string
        (#"{"v":"20240115"}"#, .text, .text("20240115")),
        (#"{"v":"1234"}"#, .text, .text("1234")),
        (#"{"v":"hello"}"#, .text, .text("hello")),
    ] as [(String, FieldType, FieldValue)])
    func dynamicTypes(doc: String, type: FieldType, value: FieldValue) throws {
        let p = try parseDoc(doc)
        #expect(p.updatedMapping?.properties["v"]?.type == type, "\(doc)")
        #expect(p.values("v") == [value], "\(doc)")
    }

    @Test func dynamicFloatsAreFloatPrecision() throws {
        let p = try parseDoc(#"{"v":0.1}"#)
        #expect(p.updatedMapping?.properties["v"]?.type == .float)
        #expect(p.values("v") == [.double(Double(Float(0.1)))])
        // A double beyond Float's range cannot go into the dynamic float field.
        let e = try #require(try docError(#"{"v":1e300}"#))
        #expect(e.type == "mapper_parsing_exception")
    }

    @Test func dateDetectionCanBeDisabled() throws {
        let m = try mapping(#"{"date_detection":false}"#)
        let p = try parseDoc(#"{"d":"2024-01-15"}"#, m)
        #expect(p.updatedMapping?.properties["d"]?.type == .text)
        #expect(p.values("d") == [.text("2024-01-15")])
    }

    @Test func numericDetection() throws {
        let m = try mapping(#"{"numeric_detection":true}"#)
        let p = try parseDoc(#"{"i":"42","f":"1.5","s":"x1"}"#, m)
        #expect(p.updatedMapping?.properties["i"]?.type == .long)
        #expect(p.values("i") == [.long(42)])
        #expect(p.updatedMapping?.properties["f"]?.type == .float)
        #expect(p.updatedMapping?.properties["s"]?.type == .text)
        // Off by default.
        #expect(try parseDoc(#"{"i":"42"}"#).updatedMapping?.properties["i"]?.type == .text)
    }

    @Test
    func slashDatesAreDetectedAndIndexed() throws {
        let p = try parseDoc(#"{"d":"2024/01/15"}"#)
        #expect(p.updatedMapping?.properties["d"]?.type == .date)
        #expect(p.values("d") == [.date(1_705_276_800_000)])
        let q = try parseDoc(#"{"d":"2024/01/15 10:20:30"}"#)
        #expect(q.values("d") == [.date(1_705_314_030_000)])
    }

    @Test func objectsAreMappedRecursively() throws {
        let p = try parseDoc(#"{"user":{"name":"ann","age":31,"geo":{"ok":true}}}"#)
        let m = try #require(p.updatedMapping)
        #expect(m.properties["user"]?.type == .object)
        #expect(m.properties["user"]?.properties["age"]?.type == .long)
        #expect(m.properties["user"]?.properties["geo"]?.properties["ok"]?.type == .boolean)
        #expect(m.field("user.name.keyword")?.type == .keyword)
        #expect(p.values("user.age") == [.long(31)])
        #expect(p.values("user.name") == [.text("ann")])
        #expect(p.values("user.name.keyword") == [.keyword("ann")])
        #expect(p.values("user.geo.ok") == [.bool(true)])
        #expect(p.values("age").isEmpty)
    }

    @Test func dottedKeysAreObjectPaths() throws {
        let dotted = try parseDoc(#"{"user.name":"ann","user.age":31}"#)
        let nested = try parseDoc(#"{"user":{"name":"ann","age":31}}"#)
        #expect(dotted.updatedMapping == nested.updatedMapping)
        #expect(dotted.values("user.name") == [.text("ann")])
        #expect(dotted.values("user.age") == [.long(31)])
        #expect(dotted.updatedMapping?.properties["user.name"] == nil)

        let mixed = try parseDoc(#"{"a.b":1,"a":{"c":2},"x.y.z":"deep"}"#)
        #expect(mixed.updatedMapping?.properties["a"]?.properties.keys.sorted() == ["b", "c"])
        #expect(mixed.values("x.y.z") == [.text("deep")])
        #expect(mixed.updatedMapping?.field("x.y.z")?.type == .text)
    }

    @Test func dottedKeyIntoExistingMapping() throws {
        let m = try mapping(#"{"properties":{"user":{"properties":{"age":{"type":"integer"}}}}}"#)
        let p = try parseDoc(#"{"user.age":"7"}"#, m)
        #expect(p.values("user.age") == [.long(7)])
        #expect(p.updatedMapping == nil)
    }

    @Test func arraysAndNulls() throws {
        let p = try parseDoc(#"{"tags":["a","b"],"n":[1,2,3],"mixed":[null,5],"none":null,"empty":[],"objs":[{"k":1},{"k":2}]}"#)
        let m = try #require(p.updatedMapping)
        #expect(p.values("tags") == [.text("a"), .text("b")])
        #expect(p.values("tags.keyword") == [.keyword("a"), .keyword("b")])
        #expect(p.values("n") == [.long(1), .long(2), .long(3)])
        #expect(m.properties["mixed"]?.type == .long)
        #expect(p.values("mixed") == [.long(5)])
        #expect(m.properties["none"] == nil)
        #expect(m.properties["empty"] == nil)
        #expect(m.properties["objs"]?.type == .object)
        #expect(p.values("objs.k") == [.long(1), .long(2)])
    }

    @Test func nullsAndEmptyArraysAloneChangeNothing() throws {
        let p = try parseDoc(#"{"a":null,"b":[],"c":[null],"d":[[]],"e":[[null],[]]}"#)
        #expect(p.updatedMapping == nil)
        #expect(p.fields.isEmpty)
    }

    @Test func nestedArraysAreFlattened() throws {
        let p = try parseDoc(#"{"a":[[1,2],[3]]}"#)
        #expect(p.updatedMapping?.properties["a"]?.type == .long)
        #expect(p.values("a") == [.long(1), .long(2), .long(3)])
    }

    @Test func nestedArraysIntoExistingFieldAreFlattened() throws {
        let m = try mapping(#"{"properties":{"a":{"type":"long"}}}"#)
        #expect(try parseDoc(#"{"a":[[1,2],[3,[4]]]}"#, m).values("a") == [.long(1), .long(2), .long(3), .long(4)])
    }

    @Test func objectDepthLimit() throws {
        func nestedDoc(_ objects: Int) -> String {
            String(repeating: "{\"o\":", count: objects) + "{\"leaf\":1}" + String(repeating: "}", count: objects)
        }
        // The root counts as depth 1, so 19 nested objects reach the default limit of 20 exactly.
        let ok = try parseDoc(nestedDoc(19))
        #expect(ok.values(Array(repeating: "o", count: 19).joined(separator: ".") + ".leaf") == [.long(1)])
        let e = try #require(try docError(nestedDoc(20)))
        #expect(e.type == "illegal_argument_exception")
        #expect(e.reason.hasPrefix("Limit of mapping depth [20] has been exceeded due to object field ["))
        // A custom limit.
        let small = try json(#"{"a":{"b":{"c":{"d":1}}}}"#)
        #expect(throws: OpenSearchError.self) { try DocumentParser.parse(small, mapping: Mapping(), id: "1", depthLimit: 3) }
        let fits = try json(#"{"a":{"b":{"c":1}}}"#)
        #expect(try DocumentParser.parse(fits, mapping: Mapping(), id: "1", depthLimit: 3).values("a.b.c") == [.long(1)])
    }

    @Test func nestedArraysOfObjectsAreFlattened() throws {
        let p = try parseDoc(#"{"o":[[{"k":1}],[{"k":2},[{"k":3}]]]}"#)
        #expect(p.updatedMapping?.properties["o"]?.type == .object)
        #expect(p.values("o.k") == [.long(1), .long(2), .long(3)])
    }

    @Test func knownDocumentDoesNotUpdateMapping() throws {
        let first = try parseDoc(#"{"a":"x","n":1,"o":{"b":true}}"#)
        let m = try #require(first.updatedMapping)
        let second = try parseDoc(#"{"a":"y","n":2,"o":{"b":false}}"#, m)
        #expect(second.updatedMapping == nil)
        #expect(second.values("n") == [.long(2)])
        // A new sub-field of an existing object does update it.
        let third = try parseDoc(#"{"o":{"c":1}}"#, m)
        #expect(third.updatedMapping?.properties["o"]?.properties["c"]?.type == .long)
        #expect(third.updatedMapping?.properties["o"]?.properties["b"]?.type == .boolean)
    }

    @Test func dynamicTemplatesChooseMappings() throws {
        let m = try mapping(#"""
        {"dynamic_templates":[
          {"kw":{"match_mapping_type":"string","match":"kw_*","mapping":{"type":"keyword"}}},
          {"ints":{"match_mapping_type":"long","mapping":{"type":"integer"}}},
          {"generic":{"match":"gen_*","mapping":{"type":"{dynamic_type}","index":false}}}
        ]}
        """#)
        let p = try parseDoc(#"{"kw_a":"x","n":5,"gen_s":"t","gen_b":true,"other":"o"}"#, m)
        let um = try #require(p.updatedMapping)
        #expect(um.properties["kw_a"]?.type == .keyword)
        #expect(p.values("kw_a") == [.keyword("x")])
        #expect(um.properties["n"]?.type == .integer)
        #expect(um.properties["gen_s"]?.type == .text)
        #expect(um.properties["gen_s"]?.isIndexed == false)
        #expect(um.properties["gen_b"]?.type == .boolean)
        #expect(um.properties["other"] == FieldMapping.dynamicString)
        // The template's integer range now applies.
        #expect(try docError(#"{"n":3000000000}"#, um)?.type == "mapper_parsing_exception")
    }

    @Test func totalFieldsLimit() throws {
        let e = try #require(try docError(#"{"a":1,"b":2,"c":3,"d":4}"#, limit: 3))
        #expect(e.type == "illegal_argument_exception")
        #expect(e.reason == "Limit of total fields [3] has been exceeded")
        // Text + keyword counts as two.
        #expect(try docError(#"{"s":"x"}"#, limit: 1)?.type == "illegal_argument_exception")
        #expect(try docError(#"{"s":"x"}"#, limit: 2) == nil)
    }
}

@Suite struct DynamicModeTests {
    @Test func strictRejectsUnknownFields() throws {
        let m = try mapping(#"{"dynamic":"strict","properties":{"a":{"type":"keyword"}}}"#)
        #expect(try parseDoc(#"{"a":"ok"}"#, m).values("a") == [.keyword("ok")])
        let e = try #require(try docError(#"{"a":"ok","b":1}"#, m))
        #expect(e.type == "strict_dynamic_mapping_exception")
        #expect(e.status == 400)
        #expect(e.reason == "mapping set to strict, dynamic introduction of [b] within [_doc] is not allowed")
        // null values for unknown fields are not an introduction.
        #expect(try docError(#"{"a":"ok","b":null}"#, m) == nil)
    }

    @Test func strictInsideObjectNamesTheObject() throws {
        let m = try mapping(#"{"properties":{"o":{"dynamic":"strict","properties":{"x":{"type":"long"}}}}}"#)
        #expect(try docError(#"{"o":{"x":1},"free":true}"#, m) == nil)
        let e = try #require(try docError(#"{"o":{"x":1,"y":2}}"#, m))
        #expect(e.type == "strict_dynamic_mapping_exception")
        #expect(e.reason == "mapping set to strict, dynamic introduction of [y] within [o] is not allowed")
        let dotted = try #require(try docError(#"{"o.y":2}"#, m))
        #expect(dotted.type == "strict_dynamic_mapping_exception")
    }

    @Test func objectLevelDynamicOverridesRoot() throws {
        let m = try mapping(#"{"dynamic":"strict","properties":{"o":{"dynamic":true,"properties":{}}}}"#)
        let p = try parseDoc(#"{"o":{"new":1}}"#, m)
        #expect(p.updatedMapping?.properties["o"]?.properties["new"]?.type == .long)
        #expect(try docError(#"{"top":1}"#, m)?.type == "strict_dynamic_mapping_exception")
    }

    @Test(arguments: ["false", "runtime"])
    func falseAndRuntimeIgnoreUnknownFields(mode: String) throws {
        let m = try mapping("{\"dynamic\":\"\(mode)\",\"properties\":{\"a\":{\"type\":\"long\"}}}")
        let p = try parseDoc(#"{"a":1,"b":"ignored","o":{"x":1}}"#, m)
        #expect(p.updatedMapping == nil)
        #expect(p.values("a") == [.long(1)])
        #expect(p.values("b").isEmpty)
        #expect(p.fields.count == 1)
    }

    @Test func strictAllowTemplatesOnlyAddsTemplatedFields() throws {
        let m = try mapping(#"""
        {"dynamic":"strict_allow_templates","dynamic_templates":[{"kw":{"match":"kw_*","mapping":{"type":"keyword"}}}]}
        """#)
        let p = try parseDoc(#"{"kw_a":"x"}"#, m)
        #expect(p.updatedMapping?.properties["kw_a"]?.type == .keyword)
        #expect(p.values("kw_a") == [.keyword("x")])
        let e = try #require(try docError(#"{"other":"x"}"#, m))
        #expect(e.type == "strict_dynamic_mapping_exception")
        #expect(e.reason == "mapping set to strict_allow_templates, dynamic introduction of [other] within [_doc] is not allowed")
        #expect(try docError(#"{"other":null}"#, m) == nil)
    }

    @Test(arguments: [#"{".":1}"#, #"{"...":1}"#])
    func dotOnlyFieldNamesAreRejected(doc: String) throws {
        let e = try #require(try docError(doc))
        #expect(e.type == "mapper_parsing_exception")
        #expect(e.causedBy.first?.reason == "field name cannot contain only the character [.]")
    }

    @Test
    func ambiguousDottedNamesAreRejected() throws {
        for doc in [#"{".a":1}"#, #"{"a..b":1}"#, #"{"o":{"x..y":1}}"#] {
            let e = try #require(try docError(doc), "accepted \(doc)")
            #expect(e.type == "mapper_parsing_exception")
            #expect(e.causedBy.first?.reason.contains("makes object resolution ambiguous") == true)
        }
    }

    @Test func disabledObjectIsNotParsed() throws {
        let m = try mapping(#"{"dynamic":"strict","properties":{"blob":{"type":"object","enabled":false}}}"#)
        let p = try parseDoc(#"{"blob":{"anything":[1,"x",{"y":null}]}}"#, m)
        #expect(p.fields.isEmpty)
        #expect(p.updatedMapping == nil)
    }
}

@Suite struct ValueConversionTests {
    static let typed = #"""
    {"properties":{"l":{"type":"long"},"i":{"type":"integer"},"s":{"type":"short"},"b":{"type":"byte"},
      "u":{"type":"unsigned_long"},"d":{"type":"double"},"f":{"type":"float"},"dt":{"type":"date"},
      "bool":{"type":"boolean"},"k":{"type":"keyword"},"t":{"type":"text"},"ip":{"type":"ip"},
      "nc":{"type":"long","coerce":false},"im":{"type":"long","ignore_malformed":true},
      "k10":{"type":"keyword","ignore_above":3},"kn":{"type":"keyword","null_value":"N/A"},
      "dfmt":{"type":"date","format":"yyyy/MM/dd||epoch_second"},"o":{"properties":{"x":{"type":"long"}}}}}
    """#

    static func m() throws -> Mapping { try mapping(typed) }

    @Test(arguments: [
        (#"{"l":42}"#, "l", [FieldValue.long(42)]),
        (#"{"l":"42"}"#, "l", [.long(42)]),
        (#"{"l":" 42 "}"#, "l", [.long(42)]),
        (#"{"l":42.9}"#, "l", [.long(42)]),
        (#"{"l":-42.9}"#, "l", [.long(-42)]),
        (#"{"l":"42.9"}"#, "l", [.long(42)]),
        (#"{"l":9223372036854775807}"#, "l", [.long(Int64.max)]),
        (#"{"l":[1,"2",3.5]}"#, "l", [.long(1), .long(2), .long(3)]),
        (#"{"i":2147483647}"#, "i", [.long(2_147_483_647)]),
        (#"{"i":-2147483648}"#, "i", [.long(-2_147_483_648)]),
        (#"{"s":32767}"#, "s", [.long(32767)]),
        (#"{"s":-32768}"#, "s", [.long(-32768)]),
        (#"{"b":127}"#, "b", [.long(127)]),
        (#"{"b":-128}"#, "b", [.long(-128)]),
        (#"{"u":0}"#, "u", [.long(UnsignedLong.stored(0))]),  // biased: see UnsignedLongTests
        (#"{"d":1.5}"#, "d", [.double(1.5)]),
        (#"{"d":3}"#, "d", [.double(3)]),
        (#"{"d":"2.25"}"#, "d", [.double(2.25)]),
        (#"{"f":0.1}"#, "f", [.double(Double(Float(0.1)))]),
        (#"{"dt":"2024-01-15"}"#, "dt", [.date(1_705_276_800_000)]),
        (#"{"dt":1705276800000}"#, "dt", [.date(1_705_276_800_000)]),
        (#"{"dt":-1}"#, "dt", [.date(-1)]),
        (#"{"dt":1.5e3}"#, "dt", [.date(1500)]),
        (#"{"dfmt":"2024/01/15"}"#, "dfmt", [.date(1_705_276_800_000)]),
        (#"{"dfmt":1705276800}"#, "dfmt", [.date(1_705_276_800_000)]),
        (#"{"bool":true}"#, "bool", [.bool(true)]),
        (#"{"bool":"true"}"#, "bool", [.bool(true)]),
        (#"{"bool":"false"}"#, "bool", [.bool(false)]),
        (#"{"bool":""}"#, "bool", [.bool(false)]),
        (#"{"k":"abc"}"#, "k", [.keyword("abc")]),
        (#"{"k":12}"#, "k", [.keyword("12")]),
        (#"{"k":true}"#, "k", [.keyword("true")]),
        (#"{"t":"words here"}"#, "t", [.text("words here")]),
        (#"{"t":5}"#, "t", [.text("5")]),
        (#"{"ip":"192.168.0.1"}"#, "ip", [.ip("192.168.0.1")]),
        (#"{"ip":"::1"}"#, "ip", [.ip("::1")]),
        (#"{"ip":"2001:db8::ff00:42:8329"}"#, "ip", [.ip("2001:db8::ff00:42:8329")]),
        (#"{"k10":"abc"}"#, "k10", [.keyword("abc")]),
        (#"{"k10":"abcd"}"#, "k10", []),
        (#"{"kn":null}"#, "kn", [.keyword("N/A")]),
        (#"{"k":null}"#, "k", []),
        (#"{"im":"not a number"}"#, "im", []),
        (#"{"im":7}"#, "im", [.long(7)]),
        (#"{"nc":5}"#, "nc", [.long(5)]),
        (#"{"nc":5.0}"#, "nc", [.long(5)]),
        (#"{"o":{"x":"9"}}"#, "o.x", [.long(9)]),
        (#"{"o":null}"#, "o.x", []),
    ])
    func acceptedValues(doc: String, path: String, expected: [FieldValue]) throws {
        let p = try parseDoc(doc, try Self.m())
        #expect(p.values(path) == expected, "\(doc)")
        #expect(p.updatedMapping == nil)
    }

    /// Bad values are `mapper_parsing_exception`s whose `caused_by` says why.
    @Test(arguments: [
        (#"{"l":"abc"}"#, "number_format_exception"),
        (#"{"l":""}"#, "number_format_exception"),
        (#"{"l":true}"#, "illegal_argument_exception"),
        (#"{"l":1e19}"#, "illegal_argument_exception"),
        (#"{"l":-1e19}"#, "illegal_argument_exception"),
        (#"{"l":"1e19"}"#, "illegal_argument_exception"),
        (#"{"l":{"x":1}}"#, "illegal_argument_exception"),
        (#"{"i":2147483648}"#, "illegal_argument_exception"),
        (#"{"i":-2147483649}"#, "illegal_argument_exception"),
        (#"{"i":"2147483648"}"#, "illegal_argument_exception"),
        (#"{"i":3e9}"#, "illegal_argument_exception"),
        (#"{"s":32768}"#, "illegal_argument_exception"),
        (#"{"s":-32769}"#, "illegal_argument_exception"),
        (#"{"b":128}"#, "illegal_argument_exception"),
        (#"{"b":-129}"#, "illegal_argument_exception"),
        (#"{"u":-1}"#, "illegal_argument_exception"),
        (#"{"nc":"5"}"#, "illegal_argument_exception"),
        (#"{"nc":5.5}"#, "illegal_argument_exception"),
        (#"{"d":"x"}"#, "number_format_exception"),
        (#"{"d":false}"#, "illegal_argument_exception"),
        (#"{"f":1e39}"#, "illegal_argument_exception"),
        (#"{"dt":"not a date"}"#, "illegal_argument_exception"),
        (#"{"dt":"2024-02-30"}"#, "illegal_argument_exception"),
        (#"{"dt":"2024/01/15"}"#, "illegal_argument_exception"),
        (#"{"dt":true}"#, "illegal_argument_exception"),
        (#"{"dfmt":"2024-01-15"}"#, "illegal_argument_exception"),
        (#"{"bool":"yes"}"#, "illegal_argument_exception"),
        (#"{"bool":"True"}"#, "illegal_argument_exception"),
        (#"{"bool":1}"#, "illegal_argument_exception"),
        (#"{"bool":0}"#, "illegal_argument_exception"),
        (#"{"ip":"256.1.1.1"}"#, "illegal_argument_exception"),
        (#"{"ip":"1.2.3"}"#, "illegal_argument_exception"),
        (#"{"ip":"1.2.3.4.5"}"#, "illegal_argument_exception"),
        (#"{"ip":"1:2"}"#, "illegal_argument_exception"),
        (#"{"ip":"gggg::1"}"#, "illegal_argument_exception"),
        (#"{"ip":12}"#, "illegal_argument_exception"),
        (#"{"k":{"a":1}}"#, "illegal_argument_exception"),
        (#"{"t":{"a":1}}"#, "illegal_argument_exception"),
    ])
    func rejectedValues(doc: String, causeType: String) throws {
        let e = try #require(try docError(doc, try Self.m()), "accepted \(doc)")
        #expect(e.type == "mapper_parsing_exception", "\(doc): \(e)")
        #expect(e.status == 400)
        #expect(e.causedBy.first?.type == causeType, "\(doc): \(e.causedBy)")
    }

    @Test func failureReasonNamesFieldTypeAndId() throws {
        let e = try #require(try docError(#"{"l":"abc"}"#, try Self.m(), id: "doc-7"))
        #expect(e.reason == "failed to parse field [l] of type [long] in document with id 'doc-7'. Preview of field's value: 'abc'")
        #expect(e.causedBy.first?.reason == "For input string: \"abc\"")
        let noID = try #require(try docError(#"{"o":{"x":"zz"}}"#, try Self.m(), id: nil))
        #expect(noID.reason.hasPrefix("failed to parse field [o.x] of type [long] in document with id 'null'"))
    }

    @Test func integerRangeMessages() throws {
        let i = try #require(try docError(#"{"i":2147483648}"#, try Self.m()))
        #expect(i.causedBy.first?.reason == "Value [2147483648] is out of range for an integer")
        let s = try #require(try docError(#"{"s":40000}"#, try Self.m()))
        #expect(s.causedBy.first?.reason == "Value [40000] is out of range for a short")
    }

    @Test func concreteValueForObjectField() throws {
        let e = try #require(try docError(#"{"o":5}"#, try Self.m()))
        #expect(e.type == "mapper_parsing_exception")
        #expect(e.reason == "object mapping for [o] tried to parse field [o] as object, but found a concrete value")
    }

    @Test(arguments: ["_id", "_index", "_source", "_routing", "_seq_no", "_version"])
    func metadataFieldsAreRejected(name: String) throws {
        let e = try #require(try docError("{\"\(name)\":\"x\"}"))
        #expect(e.type == "mapper_parsing_exception")
        #expect(e.reason.contains("is a metadata field"))
        // Only at the root.
        #expect(try docError("{\"o\":{\"\(name)\":\"x\"}}") == nil)
    }

    @Test(arguments: [#"{"":1}"#, #"{" ":1}"#, #"{"o":{"":1}}"#])
    func emptyFieldNamesAreRejected(doc: String) throws {
        let e = try #require(try docError(doc))
        #expect(e.type == "mapper_parsing_exception")
        #expect(e.causedBy.first?.reason == "field name cannot be an empty string")
    }

    @Test(arguments: [#"[1,2]"#, #""text""#, "42", "null"])
    func nonObjectSourcesAreRejected(doc: String) throws {
        let e = try #require(try docError(doc))
        #expect(e.type == "mapper_parsing_exception")
        #expect(e.causedBy.first?.type == "not_x_content_exception")
    }

    @Test func errorDoesNotLeakPartialValues() throws {
        // A failure anywhere fails the whole document: no ParsedDocument comes back.
        #expect(try docError(#"{"l":1,"i":99999999999}"#, try Self.m()) != nil)
    }

    @Test
    func longOverflowFromDoubleIsAnError() throws {
        // 9223372036854775808 overflows Int64, so the JSON parser yields a double; must be rejected, not crash.
        #expect(try docError(#"{"l":9223372036854775808}"#, try Self.m())?.type == "mapper_parsing_exception")
        #expect(try docError(#"{"l":9.25e18}"#, try Self.m())?.type == "mapper_parsing_exception")
        #expect(try docError(#"{"l":"9.25e18"}"#, try Self.m())?.type == "mapper_parsing_exception")
    }

    @Test
    func hugeNumericDatesAreErrors() throws {
        #expect(try docError(#"{"dt":9223372036854775807}"#, try Self.m())?.type == "mapper_parsing_exception")
        #expect(try docError(#"{"dt":1e20}"#, try Self.m())?.type == "mapper_parsing_exception")
        #expect(try docError(#"{"dfmt":10000000000000000}"#, try Self.m())?.type == "mapper_parsing_exception")
    }

    @Test
    func nonASCIIDigitsInIPv4AreRejected() throws {
        #expect(!IPAddress.isValid("1.2.3.½"))
        #expect(!IPAddress.isValid("1.2.3.٣"))
        #expect(try docError(#"{"ip":"1.2.3.½"}"#, try Self.m())?.type == "mapper_parsing_exception")
    }
}

@Suite struct IPAddressTests {
    @Test(arguments: ["0.0.0.0", "255.255.255.255", "10.1.2.3", "::", "::1", "1::", "fe80::1", "2001:db8:0:0:0:0:2:1",
                      "1:2:3:4:5:6:7:8", "::ffff:192.0.2.1", "2001:DB8::abcd"])
    func valid(ip: String) {
        #expect(IPAddress.isValid(ip))
    }

    @Test(arguments: ["", "1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-1", "1..2.3", "a.b.c.d", "1.2.3.4 ",
                      ":", "1:2", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::1", "g::1", "::ffff:999.0.0.1"])
    func invalid(ip: String) {
        #expect(!IPAddress.isValid(ip))
    }

    @Test
    func doubleCompressionIsInvalid() {
        #expect(!IPAddress.isValid("1::2::3"))
        #expect(!IPAddress.isValid("::::"))
        #expect(!IPAddress.isValid("1:::2"))
    }
}
