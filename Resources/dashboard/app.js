// Searchlight KPI dashboard. Every number comes from a `_search` aggregation this page sends to
// the public REST API; every "Download CSV" link sends the same body to `_export/csv` (GET with
// `source=` + `source_content_type=`). Charts are plain SVG strings. Each chart and table carries
// its numbers in `data-key` / `data-value` attributes so tests (and people) can read them exactly.
"use strict";

const EVENTS = "request-events-*";
const SESSIONS = "session-summaries";
const DAY_MS = 86400000;
const SEARCH_PARAMS = "?ignore_unavailable=true&allow_no_indices=true";

// ------------------------------------------------------------------------------ REST helpers

async function search(index, body) {
  const r = await fetch("/" + encodeURIComponent(index) + "/_search" + SEARCH_PARAMS, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let j;
  try { j = await r.json(); } catch (e) { throw new Error(index + ": HTTP " + r.status); }
  if (!r.ok) {
    const reason = j && j.error && (j.error.reason || j.error.type || j.error);
    throw new Error(index + ": HTTP " + r.status + (reason ? " " + reason : ""));
  }
  return j;
}

function csvHref(index, body) {
  return "/" + encodeURIComponent(index) + "/_export/csv" + SEARCH_PARAMS +
    "&source_content_type=application/json&source=" + encodeURIComponent(JSON.stringify(body));
}

// ------------------------------------------------------------------------------ formatting

function esc(s) {
  return String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

const dayStr = ms => new Date(ms).toISOString().slice(0, 10);
const parseDay = s => { const [y, m, d] = s.split("-").map(Number); return Date.UTC(y, m - 1, d); };

const fmt = {
  int: v => v == null ? "–" : Math.round(v).toLocaleString("en-US"),
  num: v => v == null ? "–" : (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)),
  pct: v => v == null ? "–" : (v * 100).toFixed(2) + " %",
  ms: v => v == null ? "–" : v.toFixed(v >= 100 ? 0 : 1) + " ms",
  secs: v => {
    if (v == null) return "–";
    if (v < 60) return v.toFixed(1) + " s";
    if (v < 3600) return Math.floor(v / 60) + " min " + Math.round(v % 60) + " s";
    return (v / 3600).toFixed(1) + " h";
  },
};

// A number as it goes into data-value: exact, no locale.
const raw = v => v == null || Number.isNaN(v) ? "" : String(v);

// ------------------------------------------------------------------------------ charts (SVG)

// Chart width in SVG units: panels in one grid column use NARROW, full-width panels WIDE, so
// text keeps about the same size on screen.
const NARROW = 560, WIDE = 1200, H = 230, PAD = { l: 52, r: 12, t: 10, b: 42 };
let W = NARROW;

/** A round tick step (1, 2, 2.5 or 5 × 10^k) giving at most four steps up to v. */
function niceStep(v, integer) {
  if (!(v > 0)) return 1;
  const raw = v / 4, p = Math.pow(10, Math.floor(Math.log10(raw)));
  let step = 10 * p;
  for (const m of [1, 2, 2.5, 5]) if (m * p >= raw) { step = m * p; break; }
  return integer ? Math.max(1, Math.ceil(step)) : step;
}

function yAxis(max, step, format) {
  const plotH = H - PAD.t - PAD.b;
  let out = "";
  for (let v = 0; v <= max + step / 1000; v += step) {
    const y = PAD.t + plotH - plotH * v / max;
    out += `<line class="axis" x1="${PAD.l}" x2="${W - PAD.r}" y1="${y.toFixed(2)}" y2="${y.toFixed(2)}"/>` +
      `<text x="${PAD.l - 4}" y="${(y + 3).toFixed(2)}" text-anchor="end">${esc(format(v))}</text>`;
  }
  return out;
}

/** The y scale for values: [max, step], max a whole number of steps. */
function yScale(values, format) {
  const top = Math.max(0, ...values.filter(v => v != null));
  const step = niceStep(top, format === fmt.int);
  return [Math.max(step, Math.ceil(top / step - 1e-9) * step), step];
}

function xLabels(labels, slot) {
  const every = Math.max(1, Math.ceil(labels.length / (W === WIDE ? 24 : 12)));
  let out = "";
  labels.forEach((l, i) => {
    if (i % every !== 0) return;
    const x = PAD.l + slot * (i + 0.5), y = H - PAD.b + 12;
    out += `<text x="${x}" y="${y}" text-anchor="end" transform="rotate(-35 ${x} ${y})">${esc(l)}</text>`;
  });
  return out;
}

/** Vertical bars, one per item ({key, label, value}); gap 0 makes a histogram. */
function barChart(chart, items, format, gap = 0.2) {
  if (!items.length) return `<p class="empty">No data in this range.</p>`;
  const [max, step] = yScale(items.map(i => i.value), format);
  const plotW = W - PAD.l - PAD.r, plotH = H - PAD.t - PAD.b, slot = plotW / items.length;
  let bars = "";
  items.forEach((it, i) => {
    const h = plotH * (it.value || 0) / max, bw = Math.max(1, slot * (1 - gap));
    const x = PAD.l + slot * i + (slot - bw) / 2, y = PAD.t + plotH - h;
    bars += `<rect class="bar" x="${x.toFixed(2)}" y="${y.toFixed(2)}" width="${bw.toFixed(2)}" height="${h.toFixed(2)}" ` +
      `data-key="${esc(it.key)}" data-value="${raw(it.value)}"><title>${esc(it.label)}: ${esc(format(it.value))}</title></rect>`;
  });
  return `<svg class="chart" data-chart="${chart}" viewBox="0 0 ${W} ${H}" role="img">` +
    yAxis(max, step, format) + bars + xLabels(items.map(i => i.label), slot) + "</svg>";
}

/** Horizontal bars for categories (terms buckets), value at the end of each bar. */
function hbarChart(chart, items, format) {
  if (!items.length) return `<p class="empty">No data in this range.</p>`;
  const rowH = 20, labelW = 120, valueW = 56, h = items.length * rowH + 8;
  const max = Math.max(...items.map(i => i.value || 0)) || 1, plotW = W - labelW - valueW;
  let out = "";
  items.forEach((it, i) => {
    const y = 4 + i * rowH, w = plotW * (it.value || 0) / max;
    out += `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${esc(it.label)}</text>` +
      `<rect class="bar" x="${labelW}" y="${y + 3}" width="${w.toFixed(2)}" height="${rowH - 6}" ` +
      `data-key="${esc(it.key)}" data-value="${raw(it.value)}"><title>${esc(it.label)}: ${esc(format(it.value))}</title></rect>` +
      `<text x="${labelW + w + 4}" y="${y + 13}">${esc(format(it.value))}</text>`;
  });
  return `<svg class="chart" data-chart="${chart}" viewBox="0 0 ${W} ${h}" role="img">${out}</svg>`;
}

/** Lines over shared x positions; series = [{name, values}] aligned with keys. */
function lineChart(chart, keys, labels, series, format) {
  if (!keys.length) return `<p class="empty">No data in this range.</p>`;
  const [max, step] = yScale(series.flatMap(s => s.values), format);
  const plotW = W - PAD.l - PAD.r, plotH = H - PAD.t - PAD.b, slot = plotW / keys.length;
  const xy = (v, i) => [PAD.l + slot * (i + 0.5), PAD.t + plotH - plotH * (v || 0) / max];
  let out = "";
  series.forEach((s, si) => {
    const pts = s.values.map((v, i) => v == null ? null : xy(v, i)).filter(Boolean);
    out += `<polyline class="s${si}" points="${pts.map(p => p[0].toFixed(2) + "," + p[1].toFixed(2)).join(" ")}"/>`;
    s.values.forEach((v, i) => {
      if (v == null) return;
      const [x, y] = xy(v, i);
      out += `<circle class="s${si}" cx="${x.toFixed(2)}" cy="${y.toFixed(2)}" r="2.5" data-series="${esc(s.name)}" ` +
        `data-key="${esc(keys[i])}" data-value="${raw(v)}"><title>${esc(s.name)} ${esc(labels[i])}: ${esc(format(v))}</title></circle>`;
    });
  });
  const legend = `<div class="legend">${series.map((s, i) => `<span><i class="s${i}"></i>${esc(s.name)}</span>`).join("")}</div>`;
  return legend + `<svg class="chart" data-chart="${chart}" viewBox="0 0 ${W} ${H}" role="img">` +
    yAxis(max, step, format) + out + xLabels(labels, slot) + "</svg>";
}

/** The numbers behind a chart; cells carry data-col / data-value, rows data-key. */
function table(name, columns, rows, open = false) {
  const head = columns.map(c => `<th>${esc(c.label)}</th>`).join("");
  const body = rows.map(r => `<tr data-key="${esc(r.key)}">` + columns.map((c, i) => {
    if (i === 0) return `<td>${esc(r.label)}</td>`;
    const v = r[c.key];
    return `<td data-col="${c.key}" data-value="${raw(v)}">${esc((c.fmt || fmt.num)(v))}</td>`;
  }).join("") + "</tr>").join("");
  return `<details${open ? " open" : ""}><summary>Table</summary>` +
    `<table class="data" data-table="${name}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></details>`;
}

function panel(id, title, note, index, body, content) {
  document.getElementById(id).innerHTML =
    `<h2>${esc(title)}<a class="csv" href="${esc(csvHref(index, body))}" download="${id}.csv">Download CSV</a></h2>` +
    (note ? `<p class="note">${note}</p>` : "") + content;
}

// ------------------------------------------------------------------------------ KPI panels

const buckets = a => (a && Array.isArray(a.buckets)) ? a.buckets : [];
const perDay = aggs => ({ date_histogram: { field: "timestamp", calendar_interval: "day" }, aggs });
const pctValue = (p, k) => (p && p.values && p.values[k] != null) ? p.values[k] : null;

/** Each panel: its index, its search body for the range, and how it draws the response. */
const PANELS = [
  {
    id: "users-per-day", index: EVENTS,
    body: q => ({ size: 0, track_total_hits: true, query: q.events,
      aggs: { per_day: perDay({ users: { cardinality: { field: "user" } } }), users: { cardinality: { field: "user" } } } }),
    render(r, body, k) {
      const rows = buckets(r.aggregations.per_day).map(b => ({ key: dayStr(b.key), label: dayStr(b.key), users: b.users.value, requests: b.doc_count }));
      k.requests = r.hits.total.value;
      k.users = r.aggregations.users.value;
      panel(this.id, "Unique users per day", "Distinct <code>user</code> values among the day's request events.", EVENTS, body,
        barChart(this.id, rows.map(x => ({ key: x.key, label: x.label.slice(5), value: x.users })), fmt.int) +
        table(this.id, [{ key: "day", label: "Day" }, { key: "users", label: "Users", fmt: fmt.int }, { key: "requests", label: "Requests", fmt: fmt.int }], rows));
    },
  },
  {
    id: "sessions-per-user", index: EVENTS,
    body: q => ({ size: 0, query: q.events,
      aggs: { per_day: perDay({ users: { cardinality: { field: "user" } }, sessions: { cardinality: { field: "session_id" } } }) } }),
    render(r, body, k) {
      const rows = buckets(r.aggregations.per_day).map(b => ({ key: dayStr(b.key), label: dayStr(b.key),
        users: b.users.value, sessions: b.sessions.value, ratio: b.users.value > 0 ? b.sessions.value / b.users.value : null }));
      const s = rows.reduce((a, x) => a + x.sessions, 0), u = rows.reduce((a, x) => a + x.users, 0);
      k.sessions_per_user_day = u > 0 ? s / u : null;
      panel(this.id, "Sessions per user per day", "Distinct sessions ÷ distinct users among each day's events " +
        "(a session crossing midnight counts on both days). Overall: " + fmt.num(k.sessions_per_user_day) + " per active user-day.", EVENTS, body,
        barChart(this.id, rows.map(x => ({ key: x.key, label: x.label.slice(5), value: x.ratio })), fmt.num) +
        table(this.id, [{ key: "day", label: "Day" }, { key: "sessions", label: "Sessions", fmt: fmt.int },
          { key: "users", label: "Users", fmt: fmt.int }, { key: "ratio", label: "Sessions / user", fmt: fmt.num }], rows));
    },
  },
  {
    id: "duration", index: SESSIONS,
    body: q => ({ size: 0, query: q.sessions, aggs: {
      stats: { stats: { field: "duration_seconds" } },
      distribution: { range: { field: "duration_seconds", ranges: DURATION_BINS.map(b => {
        const o = { key: b.key }; if (b.from != null) o.from = b.from; if (b.to != null) o.to = b.to; return o; }) } },
    } }),
    render(r, body, k) {
      const st = r.aggregations.stats;
      k.sessions = st.count;
      k.avg_duration = st.avg;
      const rows = buckets(r.aggregations.distribution).map(b => ({ key: b.key, label: b.key, sessions: b.doc_count }));
      panel(this.id, "Session duration", `Sessions starting in the range: ${fmt.int(st.count)}, average ` +
        `<b data-metric="avg_duration" data-value="${raw(st.avg)}">${esc(fmt.secs(st.avg))}</b>, longest ${esc(fmt.secs(st.max))}.`, SESSIONS, body,
        barChart(this.id, rows.map(x => ({ key: x.key, label: x.label, value: x.sessions })), fmt.int, 0.04) +
        table(this.id, [{ key: "bucket", label: "Duration" }, { key: "sessions", label: "Sessions", fmt: fmt.int }], rows));
    },
  },
  {
    id: "errors", index: EVENTS,
    body: q => ({ size: 0, track_total_hits: true, query: q.events, aggs: {
      per_day: perDay({ errors: { filter: { range: { status_code: { gte: 500 } } } } }),
      errors: { filter: { range: { status_code: { gte: 500 } } } },
    } }),
    render(r, body, k) {
      const rows = buckets(r.aggregations.per_day).map(b => ({ key: dayStr(b.key), label: dayStr(b.key),
        requests: b.doc_count, errors: b.errors.doc_count, rate: b.doc_count > 0 ? b.errors.doc_count / b.doc_count : null }));
      const total = r.hits.total.value;
      k.error_rate = total > 0 ? r.aggregations.errors.doc_count / total : null;
      panel(this.id, "5xx rate per day", "Requests with <code>status_code</code> ≥ 500 ÷ all requests. Overall " + fmt.pct(k.error_rate) + ".", EVENTS, body,
        barChart(this.id, rows.map(x => ({ key: x.key, label: x.label.slice(5), value: x.rate })), fmt.pct) +
        table(this.id, [{ key: "day", label: "Day" }, { key: "requests", label: "Requests", fmt: fmt.int },
          { key: "errors", label: "5xx", fmt: fmt.int }, { key: "rate", label: "Rate", fmt: fmt.pct }], rows));
    },
  },
  {
    id: "latency", index: EVENTS,
    body: q => ({ size: 0, query: q.events, aggs: {
      latency: { percentiles: { field: "response_time", percents: [50, 95, 99] } },
      per_day: perDay({ latency: { percentiles: { field: "response_time", percents: [50, 95, 99] } } }),
    } }),
    render(r, body, k) {
      const all = r.aggregations.latency;
      k.p50 = pctValue(all, "50.0"); k.p95 = pctValue(all, "95.0"); k.p99 = pctValue(all, "99.0");
      const rows = buckets(r.aggregations.per_day).map(b => ({ key: dayStr(b.key), label: dayStr(b.key),
        p50: pctValue(b.latency, "50.0"), p95: pctValue(b.latency, "95.0"), p99: pctValue(b.latency, "99.0") }));
      rows.push({ key: "all", label: "Whole range", p50: k.p50, p95: k.p95, p99: k.p99 });
      const days = rows.slice(0, -1);
      panel(this.id, "Latency percentiles (response_time)", `Whole range: p50 ${fmt.ms(k.p50)}, p95 ${fmt.ms(k.p95)}, p99 ${fmt.ms(k.p99)}.`, EVENTS, body,
        lineChart(this.id, days.map(x => x.key), days.map(x => x.label.slice(5)),
          ["p50", "p95", "p99"].map(p => ({ name: p, values: days.map(x => x[p]) })), fmt.ms) +
        table(this.id, [{ key: "day", label: "Day" }, { key: "p50", label: "p50", fmt: fmt.ms },
          { key: "p95", label: "p95", fmt: fmt.ms }, { key: "p99", label: "p99", fmt: fmt.ms }], rows));
    },
  },
  termsPanel("by-module", "Sessions per module", "modules"),
  termsPanel("by-site", "Sessions per site token", "siteTokens"),
  termsPanel("by-asset", "Sessions per asset type", "assetTypes"),
  {
    id: "trend", index: EVENTS,
    body: q => ({ size: 0, query: q.events, aggs: { per_interval: {
      date_histogram: { field: "timestamp", calendar_interval: q.interval },
      aggs: { users: { cardinality: { field: "user" } }, sessions: { cardinality: { field: "session_id" } } },
    } } }),
    render(r, body, k, q) {
      const label = ms => q.interval === "month" ? dayStr(ms).slice(0, 7) : q.interval === "week" ? "wk " + dayStr(ms).slice(5) : dayStr(ms).slice(5);
      const rows = buckets(r.aggregations.per_interval).map(b => ({ key: dayStr(b.key), label: q.interval === "month" ? dayStr(b.key).slice(0, 7) : dayStr(b.key),
        short: label(b.key), requests: b.doc_count, users: b.users.value, sessions: b.sessions.value }));
      const name = { day: "Daily", week: "Weekly", month: "Monthly" }[q.interval];
      panel(this.id, name + " trend", "Requests, distinct users and distinct sessions per " + q.interval +
        (q.interval === "day" ? "" : " (the first and last " + q.interval + " may be partial)") + ".", EVENTS, body,
        `<div class="legend"><span><i class="s0"></i>requests</span></div>` +
        barChart(this.id + "-requests", rows.map(x => ({ key: x.key, label: x.short, value: x.requests })), fmt.int) +
        lineChart(this.id, rows.map(x => x.key), rows.map(x => x.short),
          [{ name: "users", values: rows.map(x => x.users) }, { name: "sessions", values: rows.map(x => x.sessions) }], fmt.int) +
        table(this.id, [{ key: "period", label: { day: "Day", week: "Week of", month: "Month" }[q.interval] }, { key: "requests", label: "Requests", fmt: fmt.int },
          { key: "users", label: "Users", fmt: fmt.int }, { key: "sessions", label: "Sessions", fmt: fmt.int }], rows));
    },
  },
];

/** Session-duration histogram bins (seconds); `key` names the bucket in the response and CSV. */
const DURATION_BINS = [
  { key: "0-10s", to: 10 }, { key: "10-30s", from: 10, to: 30 }, { key: "30-60s", from: 30, to: 60 },
  { key: "1-2m", from: 60, to: 120 }, { key: "2-5m", from: 120, to: 300 }, { key: "5-10m", from: 300, to: 600 },
  { key: "10-20m", from: 600, to: 1200 }, { key: "20-30m", from: 1200, to: 1800 }, { key: "30-60m", from: 1800, to: 3600 },
  { key: "1h+", from: 3600 },
];

/** Sessions (session-summaries docs) per value of one of their array fields. */
function termsPanel(id, title, field) {
  return {
    id, index: SESSIONS,
    body: q => ({ size: 0, query: q.sessions, aggs: {
      by: { terms: { field, size: 25 } },
      without: { missing: { field } },
    } }),
    render(r, body) {
      const rows = buckets(r.aggregations.by).map(b => ({ key: b.key, label: b.key, sessions: b.doc_count }));
      const other = r.aggregations.by.sum_other_doc_count || 0, none = r.aggregations.without ? r.aggregations.without.doc_count : 0;
      panel(id, title, `Sessions whose <code>${field}</code> include the value (a session can count under several). ` +
        `Sessions without any: ${fmt.int(none)}` + (other ? `; ${fmt.int(other)} more beyond the top 25.` : "."), SESSIONS, body,
        hbarChart(id, rows.map(x => ({ key: x.key, label: x.label, value: x.sessions })), fmt.int) +
        table(id, [{ key: "value", label: field }, { key: "sessions", label: "Sessions", fmt: fmt.int }], rows));
    },
  };
}

function renderTiles(k) {
  const tiles = [
    ["requests", "Requests", fmt.int], ["users", "Unique users", fmt.int], ["sessions", "Sessions", fmt.int],
    ["sessions_per_user_day", "Sessions per user per day", fmt.num], ["avg_duration", "Avg session duration", fmt.secs],
    ["error_rate", "5xx rate", fmt.pct], ["p50", "p50 latency", fmt.ms], ["p95", "p95 latency", fmt.ms], ["p99", "p99 latency", fmt.ms],
  ];
  document.getElementById("tiles").innerHTML = tiles.map(([key, label, f]) =>
    `<div class="tile" data-metric="${key}" data-value="${raw(k[key])}"><div class="label">${esc(label)}</div>` +
    `<div class="value">${esc(f(k[key]))}</div></div>`).join("");
}

// ------------------------------------------------------------------------------ range + loading

/** The range the URL asks for, else the last 30 days that have data (min/max of `timestamp`). */
async function initialRange() {
  const p = new URLSearchParams(location.search);
  const interval = ["day", "week", "month"].includes(p.get("interval")) ? p.get("interval") : "day";
  let from = p.get("from"), to = p.get("to");
  const valid = s => /^\d{4}-\d{2}-\d{2}$/.test(s || "");
  if (!valid(from) || !valid(to)) {
    const r = await search(EVENTS, { size: 0, aggs: { first: { min: { field: "timestamp" } }, last: { max: { field: "timestamp" } } } });
    const a = r.aggregations || {};
    if (!a.last || a.last.value == null) return null;
    const last = Math.floor(a.last.value / DAY_MS) * DAY_MS, first = Math.floor(a.first.value / DAY_MS) * DAY_MS;
    if (!valid(to)) to = dayStr(last);
    if (!valid(from)) from = dayStr(Math.max(first, parseDay(to) - 29 * DAY_MS));
  }
  return { from, to, interval };
}

function queries(range) {
  const gte = range.from + "T00:00:00.000Z", lt = dayStr(parseDay(range.to) + DAY_MS) + "T00:00:00.000Z";
  return {
    interval: range.interval,
    events: { range: { timestamp: { gte, lt } } },
    sessions: { range: { start_time: { gte, lt } } },
  };
}

function setStatus(state, text) {
  document.body.dataset.state = state;
  document.getElementById("status").textContent = text;
}

async function load(range) {
  const b = document.body.dataset;
  b.from = range.from; b.to = range.to; b.interval = range.interval;
  document.getElementById("from").value = range.from;
  document.getElementById("to").value = range.to;
  document.getElementById("interval").value = range.interval;
  document.getElementById("range-label").textContent = range.from + " – " + range.to + " (UTC)";
  setStatus("loading", "Loading…");
  const q = queries(range), kpis = {}, failures = [];
  const started = performance.now();
  await Promise.all(PANELS.map(async p => {
    const body = p.body(q);
    try {
      const r = await search(p.index, body);
      if (!r.aggregations) throw new Error(p.index + ": no such index");
      W = document.getElementById(p.id).classList.contains("wide") ? WIDE : NARROW;
      p.render(r, body, kpis, q);
    } catch (e) {
      failures.push(p.id + ": " + e.message);
      document.getElementById(p.id).innerHTML = `<h2>${esc(p.id)}</h2><p class="empty">Failed: ${esc(e.message)}</p>`;
    }
  }));
  renderTiles(kpis);
  if (failures.length) setStatus("error", failures.join("; "));
  else setStatus("ready", "Updated in " + Math.round(performance.now() - started) + " ms");
}

async function main() {
  try {
    const range = await initialRange();
    if (!range) { setStatus("empty", "No request events yet: load some with `searchlight ingest`."); return; }
    document.getElementById("controls").addEventListener("submit", ev => {
      ev.preventDefault();
      const next = { from: document.getElementById("from").value, to: document.getElementById("to").value,
        interval: document.getElementById("interval").value };
      if (!next.from || !next.to || next.from > next.to) { setStatus("error", "Choose a start date on or before the end date."); return; }
      history.replaceState(null, "", "?" + new URLSearchParams(next).toString());
      load(next);
    });
    await load(range);
  } catch (e) {
    setStatus("error", e.message);
  }
}

main();
