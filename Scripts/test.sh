#!/usr/bin/env bash
# Everything CI runs: build, Swift unit tests, then the opensearch-py client tests against the
# real server binary. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# System libraries the Swift targets link (CSQLite, CZlib), headless Chromium for the
# dashboard's browser test (Tests/client/test_dashboard.py), and mkfs.ext4/e2fsck for the
# read-only disk test (Tests/client/test_reliability.py).
missing=()
for pkg in libsqlite3-dev zlib1g-dev chromium e2fsprogs; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "==> installing ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

echo "==> swift build"
swift build

echo "==> swift test"
swift test

echo "==> python venv for client tests"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check opensearch-py pytest requests cryptography

echo "==> client tests (opensearch-py against the real server)"
SEARCHLIGHT_BIN="$(swift build --show-bin-path)/searchlight" \
    .venv/bin/python -m pytest -q Tests/client

echo "==> reliability (short): crash cycles, corrupt segment -> red -> repair"
SEARCHLIGHT_BIN="$(swift build --show-bin-path)/searchlight" bash Scripts/reliability.sh --short
