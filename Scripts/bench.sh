#!/usr/bin/env bash
# Benchmarks. Usage:
#   Scripts/bench.sh ingest [--docs N] [--batch 5000] [--conns 2] [--skip-sqlite] [--json-out FILE]
#   Scripts/bench.sh search [--docs 5000000] [--days 30] [--queries 20] [--warmup 5] [--skip-duckdb] [--json-out FILE]
#   Scripts/bench.sh export [--lines 1000000]
#   Scripts/bench.sh aggs [--docs 5000000] [--days 30] [--runs 5] [--warmup 2] [--skip-duckdb] [--json-out FILE]
#   Scripts/bench.sh ingest-logs [--lines 1000000] [--days 7] [--users 20000] [--batch 5000] [--conns 4]
# Each builds the release binary (unless SEARCHLIGHT_BIN names one), starts it on a free port with a
# temp data dir, and runs Scripts/bench_<cmd>.py: `ingest` 1,000,000 request events by default plus
# the SQLite peer; `search` loads daily request-events-* indices and times searches against tantivy
# (and DuckDB) peers, installing those into the Python environment if missing; `aggs` loads the same
# events and times the dashboard KPI aggregations against the same peers; `ingest-logs` generates
# log lines with `searchlight gen` and pushes them through `searchlight ingest` (events + session
# summaries), then the same lines as plain events without summaries (--no-summaries) as the peer.
# `export` loads events the same way and times `searchlight export` of all of them against helpers.scan + csv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

cmd="${1:-}"
[ -n "$cmd" ] || usage
shift

# Sets PY, SEARCHLIGHT_BIN, work, port, pid; the server is stopped and $work removed on exit.
start_server() {
    if [ -z "${SEARCHLIGHT_BIN:-}" ]; then
        swift build -c release
        SEARCHLIGHT_BIN="$(swift build -c release --show-bin-path)/searchlight"
    fi
    PY=python3
    if [ -x .venv/bin/python ]; then PY=.venv/bin/python; fi

    work="$(mktemp -d "${TMPDIR:-/tmp}/searchlight-bench.XXXXXX")"
    port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    "$SEARCHLIGHT_BIN" serve --host 127.0.0.1 --port "$port" --data "$work/data" >"$work/server.log" 2>&1 &
    pid=$!
    cleanup() {
        local rc=$?
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        else
            echo "server (pid $pid) had exited" >&2
        fi
        if [ "$rc" -ne 0 ]; then
            echo "server log tail:" >&2; tail -n 30 "$work/server.log" >&2 || true
        fi
        rm -rf "$work"
    }
    trap cleanup EXIT
    echo "server: $SEARCHLIGHT_BIN (pid $pid, port $port, data $work/data)"
}

case "$cmd" in
ingest)
    start_server
    "$PY" Scripts/bench_ingest.py --url "http://127.0.0.1:$port" --pid "$pid" --workdir "$work" "$@"
    ;;
ingest-logs)
    lines=1000000; days=7; users=20000; batch=5000; conns=4
    while [ $# -gt 0 ]; do
        case "$1" in
            --lines) lines="$2"; shift 2 ;;
            --days) days="$2"; shift 2 ;;
            --users) users="$2"; shift 2 ;;
            --batch) batch="$2"; shift 2 ;;
            --conns) conns="$2"; shift 2 ;;
            *) usage ;;
        esac
    done
    start_server
    "$PY" - "$port" <<'PYEOF'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/"
for _ in range(600):
    try:
        urllib.request.urlopen(url, timeout=2); break
    except Exception:
        time.sleep(0.1)
PYEOF
    logs="$work/logs.ndjson"
    t0=$(date +%s.%N)
    "$SEARCHLIGHT_BIN" gen --events "$lines" --days "$days" --users "$users" --seed 1 -o "$logs"
    t1=$(date +%s.%N)
    echo "generated $lines log lines ($(du -h "$logs" | cut -f1)) in $(echo "$t1 - $t0" | bc) s"
    run_ingest() { # label, extra args...
        local label="$1"; shift
        local s e
        s=$(date +%s.%N)
        "$SEARCHLIGHT_BIN" ingest "$logs" --url "http://127.0.0.1:$port" --batch-size "$batch" --concurrency "$conns" --quiet "$@" \
            2>"$work/ingest-$label.log" || { cat "$work/ingest-$label.log" >&2; exit 1; }
        e=$(date +%s.%N)
        echo "$(echo "$e - $s" | bc)"
    }
    secs=$(run_ingest processor)
    tail -n 1 "$work/ingest-processor.log"
    peer=$(run_ingest plain --no-summaries --events-index-prefix plain-events-)
    tail -n 1 "$work/ingest-plain.log"
    curl -s -XPOST "http://127.0.0.1:$port/_refresh" >/dev/null
    sessions=$(curl -s "http://127.0.0.1:$port/session-summaries/_count" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["count"])')
    events=$(curl -s "http://127.0.0.1:$port/request-events-*/_count" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["count"])')
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    "$PY" - "$lines" "$secs" "$peer" "$sessions" "$events" "$rss" <<'PYEOF'
import sys
lines, secs, peer, sessions, events, rss = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6] or 0)
print(f"processor (events + session summaries): {lines / secs:,.0f} log lines/s, {sessions / secs:,.0f} sessions/s "
      f"({events:,} events, {sessions:,} sessions in {secs:.1f} s)")
print(f"peer: plain _bulk of the same events, no summaries: {lines / peer:,.0f} log lines/s ({peer:.1f} s)")
print(f"ratio processor/peer: {peer / secs:.2f}; server peak RSS {rss / 1024:.0f} MB")
PYEOF
    ;;
export)
    # 1,000,000 events (default) loaded through the processor, then every one exported as CSV by
    # `searchlight export` (the streamed _export/csv endpoint); the peer is what users script today:
    # a scroll with opensearch-py's helpers.scan writing Python's csv module, over the same hits.
    lines=1000000
    while [ $# -gt 0 ]; do
        case "$1" in
            --lines) lines="$2"; shift 2 ;;
            *) usage ;;
        esac
    done
    start_server
    if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
    .venv/bin/python -m pip install -q --disable-pip-version-check opensearch-py
    PY=.venv/bin/python
    "$PY" -c "import time,urllib.request
for _ in range(600):
    try: urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2); break
    except Exception: time.sleep(0.1)"
    "$SEARCHLIGHT_BIN" gen --events "$lines" --days 10 --users 5000 --seed 1 -o "$work/logs.ndjson"
    "$SEARCHLIGHT_BIN" ingest "$work/logs.ndjson" --url "http://127.0.0.1:$port" --no-summaries --quiet
    curl -s -XPOST "http://127.0.0.1:$port/request-events-*/_refresh" >/dev/null
    fields="timestamp,user,session_id,path,method,status_code,response_time,module"
    # Peak RSS of the export alone: reset the high-water mark the load left (Linux clear_refs 5),
    # and sample RSS while exporting to show that it stays flat.
    load_rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || echo "(could not reset the peak RSS: it includes the load)" >&2
    ( while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$pid/status"; sleep 0.25; done ) > "$work/rss.txt" &
    sampler=$!
    s=$(date +%s.%N)
    "$SEARCHLIGHT_BIN" export --url "http://127.0.0.1:$port" --index 'request-events-*' --fields "$fields" --out "$work/out.csv" --quiet
    e=$(date +%s.%N)
    kill "$sampler" 2>/dev/null || true
    rows=$(($(wc -l < "$work/out.csv") - 1))
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    "$PY" - "$work/rss.txt" "$load_rss" <<'PYEOF'
import sys
vals = [int(x) for x in open(sys.argv[1]).read().split() if x.strip().isdigit()]
if vals:
    n = len(vals)
    first, last = vals[: max(1, n // 4)], vals[-max(1, n // 4):]
    print(f"server RSS during export: min {min(vals) / 1024:.0f} MB, max {max(vals) / 1024:.0f} MB, "
          f"first quarter avg {sum(first) / len(first) / 1024:.0f} MB, last quarter avg {sum(last) / len(last) / 1024:.0f} MB "
          f"({n} samples); peak during load {int(sys.argv[2]) / 1024:.0f} MB")
PYEOF
    "$PY" - "$port" "$fields" "$rows" "$(echo "$e - $s" | bc)" "$rss" "$work/peer.csv" <<'PYEOF'
import csv, sys, time
from opensearchpy import OpenSearch, helpers
port, fields, rows, secs, rss, peer_out = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5] or 0), sys.argv[6]
c = OpenSearch(f"http://127.0.0.1:{port}", timeout=120)
t = time.perf_counter()
n = 0
with open(peer_out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(fields)
    for h in helpers.scan(c, index="request-events-*", query={"_source": fields}, size=1000):
        s = h["_source"]
        w.writerow([s.get(k, "") for k in fields])
        n += 1
peer = time.perf_counter() - t
print(f"searchlight export: {rows:,} rows in {secs:.1f} s = {rows / secs:,.0f} rows/s; server peak RSS during export {rss / 1024:.0f} MB")
print(f"peer (helpers.scan + csv): {n:,} rows in {peer:.1f} s = {n / peer:,.0f} rows/s")
print(f"ratio searchlight/peer rows/s: {(rows / secs) / (n / peer):.2f}")
if rows != n:
    sys.exit(f"row counts differ: {rows} vs {n}")
PYEOF
    ;;
search|aggs)
    # The peers are Python packages: use the repo's .venv, else a bench venv kept under $TMPDIR.
    if [ ! -x .venv/bin/python ]; then
        venv="${TMPDIR:-/tmp}/searchlight-bench-venv"
        [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
        export PATH="$venv/bin:$PATH"
        PYV="$venv/bin/python"
    else
        PYV=.venv/bin/python
    fi
    "$PYV" -c 'import tantivy' 2>/dev/null || "$PYV" -m pip install -q tantivy
    "$PYV" -c 'import duckdb' 2>/dev/null || "$PYV" -m pip install -q duckdb || echo "duckdb not installed: that peer is skipped" >&2
    start_server
    PY="$PYV"
    "$PY" "Scripts/bench_$cmd.py" --url "http://127.0.0.1:$port" --pid "$pid" --workdir "$work" "$@"
    ;;
*)
    usage
    ;;
esac
