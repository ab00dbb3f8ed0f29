#!/usr/bin/env bash
# Reliability checks (issue #9) against the real server binary, ending in one summary table.
#
#   bash Scripts/reliability.sh            # long run (100 crash cycles, ..., libFuzzer)
#   bash Scripts/reliability.sh --short    # CI: a short version of every section (< 2 min)
#   SKIP_LIBFUZZER=1 bash Scripts/reliability.sh   # long run without building the Fuzz package
#
# The binary is $SEARCHLIGHT_BIN, else the debug build (built here if missing). Each section is
# one function that runs its checks and adds rows with `row NAME VALUE TARGET OK`; a new section
# (fuzzing, load) is one more function plus one line in SECTIONS. Exit status 1 when a row fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MODE=long
for arg in "$@"; do
    case "$arg" in
        --short) MODE=short ;;
        --long) MODE=long ;;
        -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 64 ;;
    esac
done

PYTHON="${PYTHON:-python3}"
OUT="${RELIABILITY_OUT:-$(mktemp -d -t searchlight-reliability-XXXXXX)}"
mkdir -p "$OUT"
if [ -z "${SEARCHLIGHT_BIN:-}" ]; then
    swift build --product searchlight >&2 || exit 1
    SEARCHLIGHT_BIN="$(swift build --show-bin-path)/searchlight"
fi
export SEARCHLIGHT_BIN

ROWS=()
FAILED=0
# row NAME VALUE TARGET OK(yes|no)
row() {
    ROWS+=("$1|$2|$3|$4")
    if [ "$4" != yes ]; then FAILED=1; fi
}

# json FILE KEY: one value from a summary file the Python harness wrote.
json() { "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2"; }

# -- crash safety: SIGKILL during bulk writes, upserts, refresh, flush and merge ----------------
section_crash() {
    local cycles=100
    if [ "$MODE" = short ]; then cycles=5; fi
    local summary="$OUT/crash.json"
    echo "==> crash cycles ($cycles)"
    "$PYTHON" Scripts/reliability_crash.py --cycles "$cycles" --json "$summary" --workdir "$OUT/crash" \
        > "$OUT/crash.log" 2>&1
    tail -n 3 "$OUT/crash.log"
    if [ ! -s "$summary" ]; then
        row "crash cycles survived" "harness failed (see $OUT/crash.log)" "$cycles/$cycles" no
        return
    fi
    local survived lost half queries
    survived="$(json "$summary" cycles_survived)"
    lost="$(json "$summary" lost)"
    half="$(json "$summary" half_applied)"
    queries="$(( $(json "$summary" query_mismatches) + $(json "$summary" duplicates) + $(json "$summary" unexpected) ))"
    row "crash cycles survived" "$survived/$cycles" "$cycles/$cycles" "$([ "$survived" = "$cycles" ] && echo yes || echo no)"
    row "acknowledged writes checked" "$(json "$summary" acked_writes)" "-" yes
    row "acknowledged docs lost" "$lost" "0" "$([ "$lost" = 0 ] && echo yes || echo no)"
    row "half-applied writes" "$half" "0" "$([ "$half" = 0 ] && echo yes || echo no)"
    row "search vs full-scan mismatches" "$queries" "0" "$([ "$queries" = 0 ] && echo yes || echo no)"
}

# -- corrupt segment: detected at start-up, index red, `searchlight repair` recovers ---------------
section_corruption() {
    echo "==> corrupt segment -> red -> repair"
    local summary="$OUT/corruption.json"
    "$PYTHON" Scripts/reliability_crash.py --corruption --json "$summary" --workdir "$OUT/corruption" \
        > "$OUT/corruption.log" 2>&1
    tail -n 2 "$OUT/corruption.log"
    if [ ! -s "$summary" ]; then
        row "corrupt segment detected and repaired" "harness failed (see $OUT/corruption.log)" "yes" no
        return
    fi
    local ok
    ok="$(json "$summary" ok)"
    row "corrupt segment -> red -> repaired" "$([ "$ok" = True ] && echo yes || echo no) ($(json "$summary" lost) docs lost, as reported)" "yes" \
        "$([ "$ok" = True ] && echo yes || echo no)"
}

# -- hostile input (HTTP fuzzing) and load: Scripts/reliability_sections.sh prints `| name | value |`
# rows; they become rows here, and the section's exit status decides their `ok`.
# shellcheck source=Scripts/reliability_sections.sh
source Scripts/reliability_sections.sh
rows_from() { # NAME-OF-FUNCTION
    local out rc ok
    out="$(RELIABILITY_SHORT=$([ "$MODE" = short ] && echo 1 || echo 0) RELIABILITY_OUT="$OUT" "$1")"
    rc=$?
    ok=$([ $rc = 0 ] && echo yes || echo no)
    while IFS= read -r line; do
        [[ "$line" == "|"* ]] || continue
        line="${line#| }"; line="${line% |}"
        row "${line%% | *}" "${line#* | }" "-" "$ok"
    done <<< "$out"
    [ -n "$out" ] || row "$1" "produced no rows" "-" no
}
section_hostile() { echo "==> fuzzing (HTTP, every endpoint family)"; rows_from section_fuzz; }
section_traffic() { echo "==> load: 200 connections, then ingestion with refresh 1s"; rows_from section_load; }
section_parsers() { echo "==> libFuzzer over the parsers (Scripts/fuzz.sh)"; rows_from section_libfuzzer; }

# Sections in order; libFuzzer only in the long mode (its build alone outlasts the short one).
SECTIONS=(section_crash section_corruption section_hostile section_traffic)
if [ "$MODE" = long ] && [ "${SKIP_LIBFUZZER:-0}" != 1 ]; then SECTIONS+=(section_parsers); fi

started=$SECONDS
for s in "${SECTIONS[@]}"; do "$s"; done

echo
printf '%-60s %-44s %-10s %s\n' "check" "value" "target" "ok"
printf '%-60s %-44s %-10s %s\n' "-----" "-----" "------" "--"
for r in "${ROWS[@]}"; do
    IFS='|' read -r name value target ok <<< "$r"
    printf '%-60s %-44s %-10s %s\n' "$name" "$value" "$target" "$ok"
done
echo "($MODE mode, $((SECONDS - started)) s, outputs in $OUT)"
exit "$FAILED"
