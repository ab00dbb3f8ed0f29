import Testing
import Index
import JSON
@testable import Node

/// `PUT /_cluster/settings`: transient over persistent, null resets, unknown keys refused.
@Suite struct ClusterSettingsTests {
    @Test func maxBucketsTransientOverPersistent() throws {
        let s = ClusterSettings()
        #expect(s.maxBuckets == 65_535)
        _ = try s.update(try JSONParser.parse(#"{"persistent":{"search.max_buckets":10}}"#))
        #expect(s.maxBuckets == 10)
        let r = try s.update(try JSONParser.parse(#"{"transient":{"search":{"max_buckets":3}}}"#))
        #expect(JSONWriter.string(r) == #"{"acknowledged":true,"persistent":{},"transient":{"search":{"max_buckets":"3"}}}"#)
        #expect(s.maxBuckets == 3)
        _ = try s.update(try JSONParser.parse(#"{"transient":{"search.max_buckets":null}}"#))
        #expect(s.maxBuckets == 10)
        #expect(JSONWriter.string(s.json(flat: true)) == #"{"persistent":{"search.max_buckets":"10"},"transient":{}}"#)
    }

    @Test func refusesUnknownAndInvalid() throws {
        let s = ClusterSettings()
        #expect(throws: OpenSearchError.self) { try s.update(try JSONParser.parse(#"{"transient":{"bogus.key":1}}"#)) }
        #expect(throws: OpenSearchError.self) { try s.update(try JSONParser.parse(#"{"transient":{"search.max_buckets":-1}}"#)) }
        #expect(s.maxBuckets == 65_535)
    }
}
