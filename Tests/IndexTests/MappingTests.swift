import Testing
import JSON
@testable import Index

@Suite struct MappingParseTests {
    static let sample = #"""
    {"dynamic":"strict","properties":{
        "title":{"type":"text","analyzer":"standard","fields":{"raw":{"type":"keyword","ignore_above":100}}},
        "count":{"type":"integer"},
        "ts":{"type":"date","format":"yyyy/MM/dd||epoch_millis"},
        "user":{"properties":{"name":{"type":"keyword"},"age":{"type":"short"}}},
        "tags":{"type":"nested","dynamic":false,"properties":{"k":{"type":"keyword"}}},
        "blob":{"enabled":false},
        "empty":{}
    }}
    """#

    @Test func parsesFieldTree() throws {
        let m = try mapping(Self.sample)
        #expect(m.dynamic == .strict)
        #expect(m.dynamicSet)
        #expect(m.properties["title"]?.type == .text)
        #expect(m.properties["title"]?.params["analyzer"] == .string("standard"))
        #expect(m.properties["title"]?.fields["raw"]?.type == .keyword)
        #expect(m.properties["title"]?.fields["raw"]?.ignoreAbove == 100)
        #expect(m.properties["count"]?.type == .integer)
        #expect(m.properties["ts"]?.type == .date)
        #expect(m.properties["ts"]?.dateFormat?.pattern == "yyyy/MM/dd||epoch_millis")
        #expect(m.properties["user"]?.type == .object)
        #expect(m.properties["user"]?.properties["age"]?.type == .short)
        #expect(m.properties["tags"]?.type == .nested)
        #expect(m.properties["tags"]?.dynamic == .false)
        #expect(m.properties["blob"]?.type == .object)
        #expect(m.properties["blob"]?.params["enabled"] == .bool(false))
        #expect(m.properties["empty"]?.type == .object)
    }

    @Test func typeWrapperIsRejected() throws {
        let e = try #require(try mappingError(#"{"_doc":{"properties":{"a":{"type":"long"}}}}"#))
        #expect(e.type == "illegal_argument_exception")
        #expect(e.reason == "Types cannot be provided in put mapping requests")
        // A field that happens to be called _doc inside properties is just a field.
        #expect(try mapping(#"{"properties":{"_doc":{"type":"long"}}}"#).properties["_doc"]?.type == .long)
    }

    @Test func dottedPropertyNamesExpandToObjects() throws {
        let dotted = try mapping(#"{"properties":{"a.b":{"type":"long"},"a.c.d":{"type":"keyword"},"x":{"properties":{"y.z":{"type":"boolean"}}}}}"#)
        let nested = try mapping(#"{"properties":{"a":{"properties":{"b":{"type":"long"},"c":{"properties":{"d":{"type":"keyword"}}}}},"x":{"properties":{"y":{"properties":{"z":{"type":"boolean"}}}}}}}"#)
        #expect(dotted == nested)
        #expect(dotted.properties["a.b"] == nil)
        #expect(dotted.field("a.c.d")?.type == .keyword)
        #expect(dotted.field("x.y.z")?.type == .boolean)
        // Conflicting types for the same expanded path are refused.
        let e = try #require(try mappingError(#"{"properties":{"a.b":{"type":"long"},"a":{"properties":{"b":{"type":"keyword"}}}}}"#))
        #expect(e.type == "illegal_argument_exception")
    }

    @Test(arguments: [#"{"properties":{"":{"type":"long"}}}"#, #"{"properties":{"  ":{"type":"long"}}}"#,
                      #"{"properties":{".":{"type":"long"}}}"#, #"{"properties":{"o":{"properties":{"..":{"type":"long"}}}}}"#])
    func emptyOrDotOnlyPropertyNamesAreRejected(text: String) throws {
        let e = try #require(try mappingError(text), "accepted \(text)")
        #expect(e.type == "illegal_argument_exception")
    }

    @Test func rootOptions() throws {
        let m = try mapping(#"{"date_detection":false,"numeric_detection":"true","_source":{"enabled":true},"_meta":{"v":1},"dynamic":true}"#)
        #expect(!m.dateDetection)
        #expect(m.numericDetection)
        #expect(m.dynamic == .true)
        #expect(m.extras["_meta"] == ["v": 1])
        #expect(m.extras["numeric_detection"] == .bool(true))
        #expect(Mapping().dynamic == .true && !Mapping().dynamicSet && Mapping().dateDetection && !Mapping().numericDetection)
    }

    @Test(arguments: [
        (#"{"dynamic":"strict"}"#, DynamicMode.strict),
        (#"{"dynamic":false}"#, .false),
        (#"{"dynamic":"false"}"#, .false),
        (#"{"dynamic":true}"#, .true),
        (#"{"dynamic":"runtime"}"#, .runtime),
        (#"{"dynamic":"strict_allow_templates"}"#, .strictAllowTemplates),
    ])
    func dynamicModes(text: String, mode: DynamicMode) throws {
        #expect(try mapping(text).dynamic == mode)
    }

    @Test func jsonRendersSortedAndRoundTrips() throws {
        let m = try mapping(Self.sample)
        let j = m.json
        let props = try #require(j["properties"]?.objectValue)
        #expect(props.keys == ["blob", "count", "empty", "tags", "title", "ts", "user"])
        #expect(j.objectValue?.keys.first == "dynamic")
        #expect(j["dynamic"] == .string("strict"))
        #expect(JSONWriter.string(props["title"]!) ==
                #"{"type":"text","analyzer":"standard","fields":{"raw":{"type":"keyword","ignore_above":100}}}"#)
        #expect(JSONWriter.string(props["user"]!) ==
                #"{"properties":{"age":{"type":"short"},"name":{"type":"keyword"}}}"#)
        #expect(JSONWriter.string(props["empty"]!) == #"{"type":"object"}"#)
        #expect(JSONWriter.string(props["blob"]!) == #"{"enabled":false}"#)
        #expect(JSONWriter.string(props["tags"]!) ==
                #"{"type":"nested","dynamic":"false","properties":{"k":{"type":"keyword"}}}"#)
        // Parsing the rendered mapping gives the same mapping back.
        let again = try Mapping.parse(j)
        #expect(again == m)
        #expect(JSONWriter.string(again.json) == JSONWriter.string(j))
    }

    @Test func emptyMappingRendersEmptyObject() {
        #expect(JSONWriter.string(Mapping().json) == "{}")
    }

    @Test(arguments: [
        #"[]"#,
        #"{"properties":[]}"#,
        #"{"properties":{"a":"keyword"}}"#,
        #"{"properties":{"a":{"type":"strange"}}}"#,
        #"{"properties":{"a":{"type":1}}}"#,
        #"{"properties":{"a":{"analyzer":"standard"}}}"#,
        #"{"properties":{"a":{"type":"keyword","bogus":1}}}"#,
        #"{"properties":{"a":{"type":"keyword","properties":{}}}}"#,
        #"{"properties":{"a":{"type":"text","fields":[]}}}"#,
        #"{"properties":{"a":{"type":"text","fields":{"k":{"type":"nope"}}}}}"#,
        #"{"properties":{"a":{"type":"date","format":"yyyy-QQ"}}}"#,
        #"{"properties":{"a":{"type":"date","format":1}}}"#,
        #"{"properties":{"o":{"properties":{"x":{"type":"nope"}}}}}"#,
        #"{"properties":{"o":{"dynamic":"sometimes"}}}"#,
        #"{"dynamic":"sometimes"}"#,
        #"{"dynamic":1}"#,
        #"{"date_detection":"yes"}"#,
        #"{"numeric_detection":1}"#,
        #"{"unknown_root":1}"#,
        #"{"dynamic_templates":{}}"#,
        #"{"dynamic_templates":[{"a":{"match":"*"}}]}"#,
        #"{"dynamic_templates":[{"a":{"mapping":{}},"b":{"mapping":{}}}]}"#,
    ])
    func invalidMappingsAreMapperParsingErrors(text: String) throws {
        let e = try #require(try mappingError(text), "accepted \(text)")
        #expect(e.type == "mapper_parsing_exception", "\(text): \(e)")
        #expect(e.status == 400)
    }

    @Test func errorReasons() throws {
        #expect(try mappingError(#"{"properties":{"f":{"type":"strange"}}}"#)?.reason == "No handler for type [strange] declared on field [f]")
        #expect(try mappingError(#"{"properties":{"f":{"type":"keyword","bogus":1}}}"#)?.reason == "unknown parameter [bogus] on mapper [f] of type [keyword]")
        #expect(try mappingError(#"{"properties":{"f":{"analyzer":"x"}}}"#)?.reason == "No type specified for field [f]")
        #expect(try mappingError(#"{"zzz":true}"#)?.reason == "Root mapping definition has unsupported parameters:  [zzz : true]")
        let bad = try #require(try mappingError(#"{"properties":{"d":{"type":"date","format":"yyyy-QQ"}}}"#))
        #expect(bad.causedBy.first?.type == "illegal_argument_exception")
        #expect(bad.response["error"]?["caused_by"]?["type"] == .string("illegal_argument_exception"))
    }

    @Test func dynamicTemplatesParse() throws {
        let m = try mapping(#"""
        {"dynamic_templates":[
            {"strings_as_kw":{"match_mapping_type":"string","match":"kw_*","unmatch":"*_text","mapping":{"type":"keyword"}}},
            {"by_path":{"path_match":"a.*","path_unmatch":"a.skip.*","mapping":{"type":"{dynamic_type}"}}}
        ]}
        """#)
        #expect(m.dynamicTemplates.count == 2)
        let t = m.dynamicTemplates[0]
        #expect(t.name == "strings_as_kw")
        #expect(t.matchMappingType == "string" && t.match == "kw_*" && t.unmatch == "*_text")
        #expect(t.matches(name: "kw_a", path: "kw_a", kind: "string"))
        #expect(!t.matches(name: "kw_a", path: "kw_a", kind: "long"))
        #expect(!t.matches(name: "kw_a_text", path: "kw_a_text", kind: "string"))
        #expect(!t.matches(name: "other", path: "other", kind: "string"))
        let p = m.dynamicTemplates[1]
        #expect(p.matches(name: "b", path: "a.b", kind: "long"))
        #expect(!p.matches(name: "c", path: "a.skip.c", kind: "long"))
        #expect(!p.matches(name: "b", path: "x.b", kind: "long"))
        #expect(m.extras["dynamic_templates"]?.arrayValue?.count == 2)
    }
}

@Suite struct MappingMergeTests {
    @Test func mergeAddsFieldsAndSubfields() throws {
        var m = try mapping(#"{"properties":{"a":{"type":"keyword"},"o":{"properties":{"x":{"type":"long"}}}}}"#)
        try m.merge(try json(#"{"properties":{"b":{"type":"long"},"o":{"properties":{"y":{"type":"text"}}},"a":{"type":"keyword","ignore_above":10}}}"#))
        #expect(m.properties["b"]?.type == .long)
        #expect(m.properties["o"]?.properties["x"]?.type == .long)
        #expect(m.properties["o"]?.properties["y"]?.type == .text)
        #expect(m.properties["a"]?.ignoreAbove == 10)
        #expect(m.totalFieldCount == 5)
    }

    @Test(arguments: [
        (#"{"properties":{"a":{"type":"keyword"}}}"#, #"{"properties":{"a":{"type":"long"}}}"#,
         "mapper [a] cannot be changed from type [keyword] to [long]"),
        (#"{"properties":{"o":{"properties":{"x":{"type":"long"}}}}}"#, #"{"properties":{"o":{"properties":{"x":{"type":"double"}}}}}"#,
         "mapper [o.x] cannot be changed from type [long] to [double]"),
        (#"{"properties":{"t":{"type":"text","fields":{"k":{"type":"keyword"}}}}}"#, #"{"properties":{"t":{"type":"text","fields":{"k":{"type":"integer"}}}}}"#,
         "mapper [t.k] cannot be changed from type [keyword] to [integer]"),
        (#"{"properties":{"o":{"properties":{"x":{"type":"long"}}}}}"#, #"{"properties":{"o":{"type":"keyword"}}}"#,
         "mapper [o] cannot be changed from type [object] to [keyword]"),
        (#"{"properties":{"o":{"type":"object"}}}"#, #"{"properties":{"o":{"type":"nested"}}}"#,
         "mapper [o] cannot be changed from type [object] to [nested]"),
    ])
    func typeConflictsThrowIllegalArgument(initial: String, update: String, reason: String) throws {
        var m = try mapping(initial)
        let body = try json(update)
        do throws(OpenSearchError) {
            try m.merge(body)
            Issue.record("merge accepted a type change")
        } catch {
            #expect(error.type == "illegal_argument_exception")
            #expect(error.status == 400)
            #expect(error.reason == reason)
        }
    }

    @Test func dateFormatChangeIsRefusedButSameFormatIsFine() throws {
        var m = try mapping(#"{"properties":{"d":{"type":"date","format":"epoch_millis"}}}"#)
        try m.merge(try json(#"{"properties":{"d":{"type":"date","format":"epoch_millis"}}}"#))
        let body = try json(#"{"properties":{"d":{"type":"date","format":"yyyy"}}}"#)
        do throws(OpenSearchError) {
            try m.merge(body)
            Issue.record("format change accepted")
        } catch {
            #expect(error.type == "illegal_argument_exception")
            #expect(error.reason.contains("Cannot update parameter [format] from [epoch_millis] to [yyyy]"))
        }
        #expect(m.properties["d"]?.dateFormat?.pattern == "epoch_millis")
    }

    @Test
    func settingAFormatOnADefaultFormatDateIsAConflict() throws {
        var m = try mapping(#"{"properties":{"d":{"type":"date"}}}"#)
        let body = try json(#"{"properties":{"d":{"type":"date","format":"epoch_second"}}}"#)
        do throws(OpenSearchError) {
            try m.merge(body)
            Issue.record("format change from the default was accepted")
        } catch {
            #expect(error.type == "illegal_argument_exception")
        }
    }

    @Test func mergeDynamicOnObject() throws {
        var m = try mapping(#"{"properties":{"o":{"properties":{"x":{"type":"long"}}}}}"#)
        try m.merge(try json(#"{"properties":{"o":{"dynamic":"strict"}}}"#))
        #expect(m.properties["o"]?.dynamic == .strict)
        #expect(m.properties["o"]?.properties["x"]?.type == .long)
        try m.merge(try json(#"{"dynamic":"false"}"#))
        #expect(m.dynamic == .false)
    }
}

@Suite struct FieldMappingTests {
    @Test func lookupByPath() throws {
        let m = try mapping(#"""
        {"properties":{"title":{"type":"text","fields":{"raw":{"type":"keyword"}}},
          "user":{"properties":{"name":{"type":"text","fields":{"kw":{"type":"keyword"}}},"geo":{"properties":{"lat":{"type":"double"}}}}},
          "dotted.name":{"type":"long"}}}
        """#)
        #expect(m.field("title")?.type == .text)
        #expect(m.field("title.raw")?.type == .keyword)
        #expect(m.field("user")?.type == .object)
        #expect(m.field("user.name")?.type == .text)
        #expect(m.field("user.name.kw")?.type == .keyword)
        #expect(m.field("user.geo.lat")?.type == .double)
        #expect(m.field("dotted.name")?.type == .long)
        #expect(m.field("user.missing") == nil)
        #expect(m.field("title.raw.deeper") == nil)
        #expect(m.field("nope") == nil)
    }

    @Test func leafFieldsAndCounts() throws {
        let m = try mapping(#"""
        {"properties":{"b":{"type":"text","fields":{"k":{"type":"keyword"}}},"a":{"type":"long"},
          "o":{"properties":{"y":{"type":"keyword"},"x":{"type":"boolean"}}}}}
        """#)
        #expect(m.leafFields.map(\.0) == ["a", "b", "b.k", "o.x", "o.y"])
        #expect(m.leafFields.map(\.1.type) == [.long, .text, .keyword, .boolean, .keyword])
        #expect(m.totalFieldCount == 6)  // a, b, b.k, o, o.x, o.y
    }

    @Test func dateFieldsGetAFormat() {
        #expect(FieldMapping(type: .date).dateFormat == DateFormat.defaultDate)
        #expect(FieldMapping(type: .dateNanos).dateFormat == DateFormat.defaultDate)
        #expect(FieldMapping(type: .date, params: JSONObject([("format", "epoch_second")])).dateFormat?.pattern == "epoch_second")
        #expect(FieldMapping(type: .keyword).dateFormat == nil)
    }

    @Test func dynamicStringShape() {
        let f = FieldMapping.dynamicString
        #expect(f.type == .text)
        #expect(f.fields["keyword"]?.type == .keyword)
        #expect(f.fields["keyword"]?.ignoreAbove == 256)
        #expect(JSONWriter.string(f.json) == #"{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}}"#)
    }

    @Test func indexedFlag() throws {
        #expect(FieldMapping(type: .keyword).isIndexed)
        #expect(!FieldMapping(type: .keyword, params: JSONObject([("index", false)])).isIndexed)
        #expect(!FieldMapping(type: .keyword, params: JSONObject([("index", "false")])).isIndexed)
        #expect(FieldMapping(type: .keyword, params: JSONObject([("index", true)])).isIndexed)
    }

    @Test func parseNamesSubfieldsInErrors() throws {
        do throws(OpenSearchError) {
            _ = try FieldMapping.parse(name: "t", try! json(#"{"type":"text","fields":{"k":{"type":"bad"}}}"#))
            Issue.record("accepted")
        } catch {
            #expect(error.reason == "No handler for type [bad] declared on field [t.k]")
        }
    }

    @Test func allFieldTypesParse() throws {
        for t in FieldType.allCases {
            let f = try FieldMapping.parse(name: "f", .object(JSONObject([("type", .string(t.rawValue))])))
            #expect(f.type == t)
            #expect(f.json["type"] == .string(t.rawValue))
        }
    }

    @Test func fieldTypeClassification() {
        #expect(FieldType.long.isNumeric && FieldType.long.isIntegral)
        #expect(FieldType.float.isNumeric && !FieldType.float.isIntegral)
        #expect(FieldType.scaledFloat.isNumeric && !FieldType.scaledFloat.isIntegral)
        #expect(!FieldType.keyword.isNumeric && !FieldType.date.isNumeric)
        #expect(FieldType.object.isObjectLike && FieldType.nested.isObjectLike && !FieldType.flatObject.isObjectLike)
        #expect(FieldType.integer.integralRange == Int64(Int32.min)...Int64(Int32.max))
        #expect(FieldType.short.integralRange == -32768...32767)
        #expect(FieldType.byte.integralRange == -128...127)
        #expect(FieldType.unsignedLong.integralRange.lowerBound == 0)
        #expect(FieldType(rawValue: "half_float") == .halfFloat)
        #expect(FieldType(rawValue: "geo_point") == .geoPoint)
    }
}
