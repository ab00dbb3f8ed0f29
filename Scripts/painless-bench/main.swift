// Run through Scripts/bench-painless.sh.
import Foundation
import JSON
import Painless

let script = """
def s = ctx._source;
String id = params.event_id;
if (s.event_ids == null) { s.event_ids = []; }
if (s.event_ids.contains(id)) { ctx.op = 'none'; return; }
s.event_ids.add(id);
Collections.sort(s.event_ids);
s.session_id = params.session_id;
for (String k : ['module', 'path', 'assetType', 'siteToken']) {
  def v = params[k];
  if (v == null) { continue; }
  String f = k + 's';
  if (s[f] == null) { s[f] = new ArrayList(); }
  if (!s[f].contains(v)) { s[f].add(v); Collections.sort(s[f]); }
}
if (s.start_time == null || params.ts.compareTo(s.start_time) < 0) { s.start_time = params.ts; s.start_ms = params.ts_ms; }
if (s.end_time == null || params.ts.compareTo(s.end_time) > 0) { s.end_time = params.ts; s.end_ms = params.ts_ms; }
s.duration_seconds = (s.end_ms - s.start_ms) / 1000.0;
s.event_count = s.event_ids.size();
s.last_updated = ctx._now;
"""
let compiled = try! PainlessScript(script)
// 100k events over 5k sessions (~20 events per session), each applied to its session's current doc.
var docs: [String: JSONObject] = [:]
let n = 100_000
var params: [JSONObject] = []
for i in 0..<n {
    params.append(JSONObject([("event_id", .string("ev-\(i)")), ("session_id", .string("s\(i % 5000)")),
                              ("ts", .string("2024-01-01T00:00:\(String(format: "%02d", i % 60)).000Z")), ("ts_ms", .int(Int64(i % 60) * 1000)),
                              ("module", .string(["a", "b", "c"][i % 3])), ("path", .string("/p\(i % 7)")), ("assetType", .null)]))
}
for mode in ["script only (JSONObject in/out)", "with JSON parse+serialize"] {
    docs = [:]
    let t0 = Date()
    for p in params {
        let sid = p["session_id"]!.stringValue!
        if mode.hasPrefix("with") {
            let raw = docs[sid].map { JSONWriter.serialize(.object($0)) }
            let src: JSONObject = raw.map { try! JSONParser.parse($0).objectValue! } ?? JSONObject()
            let out = try! compiled.update(source: src, params: p, now: 1, upsert: raw == nil, index: "i", id: sid, version: 1, routing: nil)
            if out.op != .none { docs[sid] = out.source; _ = JSONWriter.serialize(.object(out.source)) }
        } else {
            let cur = docs[sid]
            let out = try! compiled.update(source: cur ?? JSONObject(), params: p, now: 1, upsert: cur == nil, index: "i", id: sid, version: 1, routing: nil)
            if out.op != .none { docs[sid] = out.source }
        }
    }
    let dt = Date().timeIntervalSince(t0)
    print("\(mode): \(n) executions in \(String(format: "%.3f", dt)) s = \(Int(Double(n) / dt)) /s")
}
// Tiny expression: dispatch overhead.
let tiny = try! PainlessScript("int s = 0; for (int i = 0; i < 1000; i++) { s += i } s")
let t1 = Date()
for _ in 0..<1000 { _ = try! tiny.evaluate() }
print("loop: 1M iterations in \(String(format: "%.3f", Date().timeIntervalSince(t1))) s")
// Compilation (cache misses): lexing, parsing and closure building of the session script.
let t2 = Date()
for _ in 0..<1000 { _ = try! PainlessScript(script) }
print("compile: 1000 session scripts in \(String(format: "%.3f", Date().timeIntervalSince(t2))) s")
