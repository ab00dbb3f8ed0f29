#!/usr/bin/env bash
# Benchmarks. Usage:
#   Scripts/bench.sh ingest [--docs N] [--batch 5000] [--conns 2] [--skip-sqlite] [--json-out FILE]
#   Scripts/bench.sh search [--docs 5000000] [--days 30] [--queries 20] [--warmup 5] [--skip-duckdb] [--json-out FILE]
#   Scripts/bench.sh aggs [--docs 5000000] [--days 30] [--runs 5] [--warmup 2] [--skip-duckdb] [--json-out FILE]
# Each builds the release binary (unless SEARCHLIGHT_BIN names one), starts it on a free port with a
# temp data dir, and runs Scripts/bench_<cmd>.py: `ingest` 1,000,000 request events by default plus
# the SQLite peer; `search` loads daily request-events-* indices and times searches against tantivy
# (and DuckDB) peers, installing those into the Python environment if missing; `aggs` loads the same
# events and times the dashboard KPI aggregations against the same peers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

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
