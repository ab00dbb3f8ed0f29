#!/usr/bin/env bash
# libFuzzer over the engine's parsers (issue #9): JSON, the _bulk NDJSON reader, the query DSL,
# aggregations, Painless (compile and run), SQL (parse and translate) and the CSV writer.
#
#   bash Scripts/fuzz.sh [--seconds N] [--target NAME]...   # default: every target, 60 s each
#
# Builds Fuzz/ (a package of its own) with -sanitize=fuzzer, then runs each target with
# -max_total_time=N -timeout=10 -rss_limit_mb=2048 on test-out/fuzz-corpus/<target>, seeded from
# Fuzz/Seeds/<target>. A crash, timeout or out-of-memory input is saved under
# test-out/fuzz/artifacts/<target>/ and the target is started again for the time left (at most
# 3 findings per target). Prints `<target> executions=E crashes=C` per target, then a TOTAL line,
# and writes $FUZZ_OUT/summary.json. Exit status 1 when anything crashed or hung.
#
# Environment: FUZZ_CONFIG release (default) or debug; FUZZ_OUT (default test-out/fuzz).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

SECONDS_PER_TARGET=60
TARGETS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) SECONDS_PER_TARGET="$2"; shift 2 ;;
        --target) TARGETS+=("$2"); shift 2 ;;
        -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 64 ;;
    esac
done
ALL=(FuzzJSON FuzzBulk FuzzQuery FuzzAggregations FuzzPainless FuzzSQL FuzzCSV)
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")
CONFIG="${FUZZ_CONFIG:-release}"
OUT="${FUZZ_OUT:-$root/test-out/fuzz}"
CORPUS="$root/test-out/fuzz-corpus"
mkdir -p "$OUT" "$CORPUS"

# The fuzz package pins the engine's dependency versions.
[ -f Package.resolved ] && cp Package.resolved Fuzz/Package.resolved
# -enable-testing: the targets reach internal parsers with @testable import.
build=(swift build --package-path Fuzz -c "$CONFIG" -Xswiftc -sanitize=fuzzer -Xswiftc -enable-testing)
products=()
for t in "${TARGETS[@]}"; do products+=(--product "$t"); done
if [ ${#TARGETS[@]} -eq ${#ALL[@]} ]; then products=(); fi
echo "==> ${build[*]} ${products[*]}" >&2
"${build[@]}" "${products[@]}" >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; echo "fuzz build failed (see $OUT/build.log)" >&2; exit 2; }
bin="$("${build[@]}" --show-bin-path)"

total_exec=0
total_crash=0
summary="{\"seconds\": $SECONDS_PER_TARGET, \"targets\": {"
sep=""
for t in "${TARGETS[@]}"; do
    corpus="$CORPUS/$t"
    artifacts="$OUT/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    [ -d "Fuzz/Seeds/$t" ] && cp -n "Fuzz/Seeds/$t"/* "$corpus"/ 2>/dev/null
    execs=0
    crashes=0
    deadline=$((SECONDS + SECONDS_PER_TARGET))
    run=0
    while [ $SECONDS -lt "$deadline" ] && [ $crashes -lt 3 ]; do
        run=$((run + 1))
        log="$OUT/$t.$run.log"
        # Swift's backtracer would take the trap's SIGILL before libFuzzer saves the input.
        SWIFT_BACKTRACE=enable=no "$bin/$t" "$corpus" -max_total_time=$((deadline - SECONDS)) -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
        rc=$?
        n="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')"
        [ -n "$n" ] || n="$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')"
        execs=$((execs + ${n:-0}))
        if [ $rc -ne 0 ]; then
            crashes=$((crashes + 1))
            echo "$t: finding (exit $rc): $(grep -o "Test unit written to .*" "$log" | tail -n 1) — log $log" >&2
        fi
    done
    echo "$t executions=$execs crashes=$crashes"
    total_exec=$((total_exec + execs))
    total_crash=$((total_crash + crashes))
    summary+="$sep\"$t\": {\"executions\": $execs, \"crashes\": $crashes}"
    sep=", "
done
summary+="}, \"executions\": $total_exec, \"crashes\": $total_crash}"
echo "$summary" >"$OUT/summary.json"
echo "TOTAL targets=${#TARGETS[@]} executions=$total_exec crashes=$total_crash"
[ "$total_crash" = 0 ]
