#!/usr/bin/env bash
# Benchmarks. Usage:
#   Scripts/bench.sh ingest [--docs N] [--batch 5000] [--conns 2] [--skip-sqlite] [--json-out FILE]
#   Scripts/bench.sh search [--docs 5000000] [--days 30] [--queries 20] [--warmup 5] [--skip-duckdb] [--json-out FILE]
#   Scripts/bench.sh aggs [--docs 5000000] [--days 30] [--runs 5] [--warmup 2] [--skip-duckdb] [--json-out FILE]
#   Scripts/bench.sh ingest-logs [--lines 1000000] [--days 7] [--users 20000] [--batch 5000] [--conns 2]
# Each builds the release binary (unless SEARCHLIGHT_BIN names one), starts it on a free port with a
# temp data dir, and runs Scripts/bench_<cmd>.py: `ingest` 1,000,000 request events by default plus
# the SQLite peer; `search` loads daily request-events-* indices and times searches against tantivy
# (and DuckDB) peers, installing those into the Python environment if missing; `aggs` loads the same
# events and times the dashboard KPI aggregations against the same peers; `ingest-logs` generates
# log lines with `searchlight gen` and pushes them through `searchlight ingest` (events + session
# summaries), then the same lines as plain events without summaries (--no-summaries) as the peer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

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
    lines=1000000; days=7; users=20000; batch=5000; conns=2
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
