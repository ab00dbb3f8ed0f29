# Sections of Scripts/reliability.sh for hostile input and load (issue #9). Source this file,
# then call `section_fuzz`, `section_load` or `section_libfuzzer`: each runs its driver and prints
# rows of the summary table (`| name | value |`), and returns non-zero when its checks fail.
#
# Environment:
#   SEARCHLIGHT_BIN     server binary (default: $(swift build --show-bin-path)/searchlight)
#   RELIABILITY_SHORT   1 for the CI length (fuzz 20 s, load 10 s + ingestion 10 s)
#   RELIABILITY_OUT     where inputs, logs and the JSON summaries go (default test-out/reliability)
#   PYTHON              interpreter (default .venv/bin/python, else python3)
#   LIBFUZZER_SECONDS   seconds per libFuzzer target (default 60; section_libfuzzer skips short runs)
# No third-party Python modules are needed.

_reliability_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_reliability_env() {
    : "${RELIABILITY_OUT:=$_reliability_root/test-out/reliability}"
    mkdir -p "$RELIABILITY_OUT"
    if [ -z "${PYTHON:-}" ]; then
        if [ -x "$_reliability_root/.venv/bin/python" ]; then PYTHON="$_reliability_root/.venv/bin/python"; else PYTHON=python3; fi
    fi
    if [ -z "${SEARCHLIGHT_BIN:-}" ]; then
        SEARCHLIGHT_BIN="$(cd "$_reliability_root" && swift build --show-bin-path)/searchlight"
    fi
    export SEARCHLIGHT_BIN
}

# Reads one value from a JSON file: _reliability_get FILE 'expr on d'
_reliability_get() {
    "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

section_fuzz() {
    _reliability_env
    local summary="$RELIABILITY_OUT/fuzz.json" args=() rc=0
    if [ "${RELIABILITY_SHORT:-0}" = 1 ]; then args+=(--short); else args+=(--seconds "${FUZZ_SECONDS:-300}"); fi
    "$PYTHON" "$_reliability_root/Scripts/reliability_fuzz.py" "${args[@]}" \
        --out "$RELIABILITY_OUT/fuzz" --json "$summary" >"$RELIABILITY_OUT/fuzz.out" 2>"$RELIABILITY_OUT/fuzz.err" || rc=$?
    if [ ! -s "$summary" ]; then
        echo "| fuzz | did not run (see $RELIABILITY_OUT/fuzz.err) |"
        return 1
    fi
    echo "| fuzz executions (HTTP, 9 endpoint families) | $(_reliability_get "$summary" 'd["executions"]') |"
    echo "| fuzz crashes (must be 0) | $(_reliability_get "$summary" 'd["crashes"]') |"
    echo "| fuzz failures: 5xx, bad error body, dropped connection, hang (must be 0) | $(_reliability_get "$summary" 'd["failures"]') |"
    echo "| fuzz slowest answer | $(_reliability_get "$summary" 'd["max_ms"]') ms |"
    return $rc
}

section_load() {
    _reliability_env
    local summary="$RELIABILITY_OUT/load.json" args=() rc=0
    if [ "${RELIABILITY_SHORT:-0}" = 1 ]; then args+=(--short); fi
    "$PYTHON" "$_reliability_root/Scripts/reliability_load.py" "${args[@]}" \
        --out "$RELIABILITY_OUT/load" --json "$summary" >"$RELIABILITY_OUT/load.out" 2>"$RELIABILITY_OUT/load.err" || rc=$?
    if [ ! -s "$summary" ]; then
        echo "| load | did not run (see $RELIABILITY_OUT/load.err) |"
        return 1
    fi
    local L='d["load"]' I='d["ingest"]'
    echo "| load held | $(_reliability_get "$summary" "f'{$L[\"connections\"]} connections for {$L[\"seconds\"]} s'") |"
    echo "| load throughput | $(_reliability_get "$summary" "f'{$L[\"req_per_s\"]} req/s ({$L[\"ok_per_s\"]} answered 2xx)'") |"
    echo "| load p50 / p99 | $(_reliability_get "$summary" "f'{$L[\"p50_ms\"]} / {$L[\"p99_ms\"]} ms'") |"
    echo "| load shed with 429 | $(_reliability_get "$summary" "$L[\"shed_429\"]") |"
    echo "| load 5xx / connection errors (must be 0) | $(_reliability_get "$summary" "f'{$L[\"errors_5xx\"]} / {sum($L[\"connection_errors\"].values())}'") |"
    echo "| server RSS before / peak / after | $(_reliability_get "$summary" "f'{$L[\"rss_before_mb\"]} / {$L[\"rss_peak_mb\"]} / {$L[\"rss_after_mb\"]} MB'") |"
    echo "| ingestion (refresh 1s) search p99 idle / busy | $(_reliability_get "$summary" "f'{$I[\"idle_p99_ms\"]} / {$I[\"busy_p99_ms\"]} ms (ratio {$I[\"p99_ratio\"]}, bound {$I[\"p99_ratio_bound\"]}; target 3 in a full run)'") |"
    echo "| ingestion docs/s, max segments | $(_reliability_get "$summary" "f'{$I[\"docs_per_s\"]}, {$I[\"max_segments\"]}'") |"
    echo "| load checks | $(_reliability_get "$summary" "'pass' if d['pass'] else 'FAIL: ' + ', '.join(k for k, v in d['checks'].items() if not v)") |"
    return $rc
}

# libFuzzer over the parsers (Scripts/fuzz.sh builds Fuzz/ with -sanitize=fuzzer). Full runs only:
# the build alone takes longer than the whole short mode.
section_libfuzzer() {
    _reliability_env
    if [ "${RELIABILITY_SHORT:-0}" = 1 ]; then return 0; fi
    local out="$RELIABILITY_OUT/libfuzzer" rc=0
    FUZZ_OUT="$out" bash "$_reliability_root/Scripts/fuzz.sh" --seconds "${LIBFUZZER_SECONDS:-60}" \
        >"$RELIABILITY_OUT/libfuzzer.out" 2>"$RELIABILITY_OUT/libfuzzer.err" || rc=$?
    if [ ! -s "$out/summary.json" ]; then
        echo "| libFuzzer | did not run (see $RELIABILITY_OUT/libfuzzer.err) |"
        return 1
    fi
    echo "| libFuzzer executions ($(_reliability_get "$out/summary.json" 'len(d["targets"])') targets) | $(_reliability_get "$out/summary.json" 'd["executions"]') |"
    echo "| libFuzzer crashes (must be 0) | $(_reliability_get "$out/summary.json" 'd["crashes"]') |"
    return $rc
}
