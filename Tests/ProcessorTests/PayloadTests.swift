import JSON
@testable import Processor
import Storage
import Testing

/// CloudWatch subscription payloads: base64 + gzip + JSON, and a clear error for each bad layer.
@Suite struct PayloadTests {
    static let payload = CloudWatchPayload(logGroup: "/app", logStream: "s1", logEvents: [
        CloudWatchLogEvent(id: "3600", timestamp: 1_700_000_000_000, message: #"{"timestamp":"2023-11-14T22:13:20.000Z","sessionId":"a","path":"/x"}"#),
        CloudWatchLogEvent(id: "3601", timestamp: 1_700_000_000_500, message: "not json"),
    ])

    @Test func roundTripsTheEnvelope() throws {
        let envelope = try Self.payload.encodedEnvelope()
        #expect(String(decoding: envelope, as: UTF8.self).hasPrefix(#"{"awslogs":{"data":"H4sI"#))
        #expect(try CloudWatchPayload.decode(envelope) == Self.payload)
        // An already inflated payload is accepted too.
        #expect(try CloudWatchPayload.decode(JSONWriter.serialize(Self.payload.json)) == Self.payload)
    }

    @Test(arguments: [("", []), ("Zg==", [0x66]), ("Zm8=", [0x66, 0x6F]), ("Zm9v", [0x66, 0x6F, 0x6F]), ("Zm9vYg", [0x66, 0x6F, 0x6F, 0x62]),
                      ("Zm9v\nYmFy", Array("foobar".utf8))] as [(String, [UInt8])])
    func decodesBase64(input: String, expected: [UInt8]) throws {
        #expect(try Base64.decode(input.utf8) == expected)
        if !input.contains("\n") && input.count % 4 == 0 { #expect(Base64.encode(expected) == input) }
    }

    @Test func base64RoundTripsEveryLength() throws {
        var rng = SeededRNG(seed: 5)
        for n in 0..<70 {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(try Base64.decode(Base64.encode(bytes).utf8) == bytes)
        }
    }

    @Test func badBase64IsAClearError() {
        #expect(throws: ProcessorError(.badBase64, "invalid base64 character at offset 4")) {
            try CloudWatchPayload.decodeData("H4sI*AAA")
        }
        #expect(throws: ProcessorError(.badBase64, "truncated base64 input (1 trailing characters)")) { try Base64.decode("Zm9vY".utf8) }
    }

    func failure(_ f: () throws(ProcessorError) -> CloudWatchPayload) -> ProcessorError? {
        do { _ = try f(); return nil } catch { return error }
    }

    @Test func badGzipAndBadJSONAreClearErrors() throws {
        let notJSON = try Gzip.compress(Array("{not json".utf8))
        let noMessage = try Gzip.compress(Array(#"{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1"}]}"#.utf8))
        #expect(failure { () throws(ProcessorError) in try CloudWatchPayload.decodeData(Base64.encode(Array("plain text, not gzip".utf8))) }?.code == .badGzip)
        #expect(failure { () throws(ProcessorError) in try CloudWatchPayload.decodeData(Base64.encode(notJSON)) }?.code == .badJSON)
        #expect(failure { () throws(ProcessorError) in try CloudWatchPayload.decode(Array(#"{"awslogs":{}}"#.utf8)) }?.code == .badPayload)
        let e = failure { () throws(ProcessorError) in try CloudWatchPayload.decodeData(Base64.encode(noMessage)) }
        #expect(e?.code == .badPayload && e?.message.contains("logEvents[0]") == true)
    }

    @Test func controlMessagesAreSkipped() throws {
        let control = CloudWatchPayload(messageType: "CONTROL_MESSAGE", logGroup: "", logStream: "",
                                        logEvents: [CloudWatchLogEvent(id: "", timestamp: 1, message: "CWL CONTROL MESSAGE: Checking health of destination")])
        let batch = try LogProcessor().batch(body: try control.encodedEnvelope())
        #expect(batch.isEmpty && batch.counts.controlMessages == 1 && batch.counts.unparsable == 0)
    }

    @Test func dataPayloadCountsUnparsableLinesWithoutFailing() throws {
        let batch = try LogProcessor().batch(body: try Self.payload.encodedEnvelope())
        let c = batch.finishedCounts(itemErrors: 0)
        #expect(c.lines == 2 && c.events == 1 && c.sessions == 1 && c.unparsable == 1)
        #expect(batch.events.first?.eventID == "3600")
    }
}
