/// The Painless upsert that merges a partial `SessionSummary` (in `params`) into
/// `session-summaries/{session_id}`. Sent inline with `scripted_upsert: true`, so any OpenSearch
/// 2.x cluster runs it unchanged. Every step is a set union or a min/max, and a partial with no
/// new event id is a no-op (`ctx.op = 'none'`), so the stored document depends only on the set of
/// events ever applied — not on their order, batching or repetition.
public enum SessionScript {
    public static let source = """
    def s = ctx._source; def p = params; \
    if (s.event_ids == null) { s.session_id = p.session_id; s.event_ids = new ArrayList(); } \
    def ids = s.event_ids; int before = ids.size(); \
    for (def id : p.event_ids) { if (!ids.contains(id)) { ids.add(id); } } \
    if (ids.size() == before) { ctx.op = 'none'; return; } \
    Collections.sort(ids); \
    for (String k : ['modules', 'paths', 'assetTypes', 'siteTokens']) { \
    def v = p[k]; if (v == null || v.isEmpty()) { continue; } \
    if (s[k] == null) { s[k] = new ArrayList(); } \
    def cur = s[k]; boolean grew = false; \
    for (def x : v) { if (!cur.contains(x)) { cur.add(x); grew = true; } } \
    if (grew) { Collections.sort(cur); } } \
    if (p.user != null && (s.user == null || p.user.compareTo(s.user) < 0)) { s.user = p.user; } \
    if (s.start_ms == null || p.start_ms < s.start_ms) { s.start_ms = p.start_ms; s.start_time = p.start_time; } \
    if (s.end_ms == null || p.end_ms > s.end_ms) { s.end_ms = p.end_ms; s.end_time = p.end_time; } \
    s.duration_seconds = (s.end_ms - s.start_ms) / 1000.0; \
    s.event_count = ids.size(); \
    s.last_updated = ctx._now;
    """

    /// `PUT session-summaries` body: keyword fields for the dashboards, dates, and `event_ids`
    /// kept in `_source` only (it exists for deduplication, not for search).
    public static let summaryIndexBody = """
    {"mappings":{"properties":{"session_id":{"type":"keyword"},"user":{"type":"keyword"},\
    "modules":{"type":"keyword"},"paths":{"type":"keyword"},"assetTypes":{"type":"keyword"},"siteTokens":{"type":"keyword"},\
    "start_time":{"type":"date"},"end_time":{"type":"date"},"start_ms":{"type":"long"},"end_ms":{"type":"long"},\
    "duration_seconds":{"type":"double"},"event_count":{"type":"integer"},"last_updated":{"type":"date","format":"epoch_millis"},\
    "event_ids":{"type":"object","enabled":false}}}}
    """
}
