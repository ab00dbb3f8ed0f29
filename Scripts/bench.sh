#!/usr/bin/env bash
# Benchmarks. Usage:
#   Scripts/bench.sh ingest [--docs N] [--batch 5000] [--conns 2] [--skip-sqlite] [--json-out FILE]
# `ingest` builds the release binary, starts it on a free port with a temp data dir, and runs
# Scripts/bench_ingest.py (1,000,000 request events by default) plus the SQLite peer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

cmd="${1:-}"
[ -n "$cmd" ] || usage
shift

case "$cmd" in
ingest)
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
        elif [ "$rc" -ne 0 ]; then
            echo "server log tail:" >&2; tail -n 30 "$work/server.log" >&2 || true
        fi
        rm -rf "$work"
    }
    trap cleanup EXIT
    echo "server: $SEARCHLIGHT_BIN (pid $pid, port $port, data $work/data)"
    "$PY" Scripts/bench_ingest.py --url "http://127.0.0.1:$port" --pid "$pid" --workdir "$work" "$@"
    ;;
*)
    usage
    ;;
esac
