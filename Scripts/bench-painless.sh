#!/usr/bin/env bash
# Micro-benchmark of the Painless interpreter: the session-summary upsert script applied to
# 100,000 events over 5,000 sessions, with and without the JSON parse/serialise around it, plus a
# tight-loop figure. Builds JSON, Index's error type and Painless with `swiftc -O` into a temp dir
# (no full release build of the server needed). Usage: Scripts/bench-painless.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="$(mktemp -d "${TMPDIR:-/tmp}/painless-bench.XXXXXX")"
trap 'rm -rf "$out"' EXIT
lib() { # module name, sources...
    local name=$1; shift
    swiftc -O -wmo -parse-as-library -emit-module -emit-library -static -module-name "$name" -I "$out" \
        -o "$out/lib$name.a" -emit-module-path "$out/$name.swiftmodule" "$@"
}
lib JSON Sources/JSON/*.swift
lib Index Sources/Index/OpenSearchError.swift
lib Painless Sources/Painless/*.swift
swiftc -O -I "$out" -L "$out" -lPainless -lIndex -lJSON Scripts/painless-bench/main.swift -o "$out/bench"
"$out/bench"
