"""Reliability (issue #9): SIGKILL crash cycles, a corrupt segment (red index, then `searchlight
repair`), and a full disk, all against the real server binary.

The crash and corruption scenarios live in Scripts/reliability_crash.py (also run by
Scripts/reliability.sh); here they run in their short form."""

import errno
import importlib.util
import os
import random
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests

from support import REPO_ROOT, SearchlightServer, server_binary

_spec = importlib.util.spec_from_file_location("reliability_crash", REPO_ROOT / "Scripts" / "reliability_crash.py")
crash = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(crash)


def test_crash_cycles_lose_no_acknowledged_write(tmp_path):
    started = time.monotonic()
    summary = crash.run(cycles=5, writers=3, ids_per_writer=300, seed=random.randrange(1 << 30),
                        binary=str(server_binary()), workdir=tmp_path, min_kill=0.2, max_kill=1.5, log=print)
    assert summary["cycles"] == 5
    assert summary["acked_writes"] > 0
    assert summary["lost"] == 0, summary["problems"]
    assert summary["half_applied"] == 0, summary["problems"]
    assert summary["unexpected"] == 0 and summary["duplicates"] == 0, summary["problems"]
    assert summary["query_mismatches"] == 0, summary["problems"]
    assert summary["harness_errors"] == 0, summary["problems"]
    assert summary["cycles_survived"] == 5
    assert time.monotonic() - started < 90


def test_corrupt_segment_is_red_until_repaired(tmp_path):
    result = crash.corruption_scenario(str(server_binary()), tmp_path, log=print)
    assert result["checks"], "no checks ran"
    assert result["ok"], result["problems"]


# -- disk full ------------------------------------------------------------------------------------

def _mount_tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return r.returncode == 0


def _fill(path: Path) -> None:
    """Writes zeros to `path` until the file system is full."""
    chunk = b"\0" * (256 << 10)
    with open(path, "wb", buffering=0) as f:
        while True:
            try:
                f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                break
        small = b"\0" * 4096
        while True:
            try:
                f.write(small)
            except OSError:
                break


def _bulk(url, index, start, count, pad):
    lines = []
    for i in range(start, start + count):
        lines.append('{"index":{"_index":"%s","_id":"%d"}}' % (index, i))
        lines.append('{"n":%d,"pad":"%s"}' % (i, pad))
    return requests.post(url + "/_bulk", data="\n".join(lines) + "\n",
                         headers={"Content-Type": "application/x-ndjson"}, timeout=60)


def test_disk_full_fails_writes_clearly_keeps_reads_and_recovers(tmp_path):
    mnt = tmp_path / "small"
    if not _mount_tmpfs(mnt, "24m"):
        pytest.skip("needs root and tmpfs mounts to make a small file system (mount -t tmpfs)")
    srv = None
    try:
        srv = SearchlightServer(mnt / "data", tmp_path / "logs", extra_args=["--no-bootstrap"]).start()
        url = srv.url
        assert requests.put(url + "/df", json={"settings": {"number_of_replicas": 0}}, timeout=30).status_code == 200
        pad = "x" * 2000
        acked = set()
        r = _bulk(url, "df", 0, 200, pad)
        assert r.status_code == 200 and not r.json()["errors"]
        acked.update(range(200))
        requests.post(url + "/df/_refresh", timeout=30)

        _fill(mnt / "filler")
        # The WAL may reuse pages it already has; keep writing until the disk is really needed.
        failure = None
        next_id = 200
        for _ in range(30):
            r = _bulk(url, "df", next_id, 500, pad)
            body = r.json()
            if body.get("errors"):
                failure = next(it["index"] for it in body["items"] if it["index"].get("error"))
                break
            acked.update(range(next_id, next_id + 500))
            next_id += 500
        assert failure is not None, "writes kept succeeding on a full disk"
        assert failure["status"] == 500
        assert failure["error"]["type"] == "translog_exception"
        assert "No space left on device" in failure["error"]["reason"]

        # The node stays up for reads.
        assert requests.get(url + "/", timeout=10).status_code == 200
        r = requests.post(url + "/df/_count", json={"query": {"match_all": {}}}, timeout=30)
        assert r.status_code == 200 and r.json()["count"] >= 200
        assert requests.get(url + "/df/_doc/5", timeout=10).json()["_source"]["n"] == 5

        # Space returns: writes work again.
        (mnt / "filler").unlink()
        r = _bulk(url, "df", 100_000, 50, pad)
        assert r.status_code == 200 and not r.json()["errors"], r.text[:500]
        acked.update(range(100_000, 100_050))
        assert requests.post(url + "/df/_refresh", timeout=30).status_code == 200

        # No torn translog or catalog: every acknowledged write is there after a SIGKILL restart.
        srv.kill()
        con = sqlite3.connect(str(mnt / "data" / "catalog.sqlite"))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        srv.start()
        url = srv.url
        requests.post(url + "/df/_refresh", timeout=30)
        r = requests.post(url + "/df/_count", json={"query": {"match_all": {}}}, timeout=30)
        assert r.json()["count"] == len(acked)
        r = requests.get(url + "/_cluster/health", timeout=10)
        assert r.json()["status"] == "green"
    finally:
        if srv is not None:
            srv.kill()
        subprocess.run(["umount", str(mnt)], capture_output=True)
        if os.path.ismount(mnt):
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
