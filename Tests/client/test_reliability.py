"""Reliability (issue #9): SIGKILL crash cycles, a corrupt segment (red index, then `searchlight
repair`), a full disk and a disk the kernel turns read-only, all against the real server binary.

The crash and corruption scenarios live in Scripts/reliability_crash.py (also run by
Scripts/reliability.sh); here they run in their short form."""

import errno
import importlib.util
import os
import random
import shutil
import signal
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

def _unmount(path: Path) -> None:
    """Unmounts a test file system, lazily if something still holds it."""
    subprocess.run(["umount", str(path)], capture_output=True)
    if os.path.ismount(path):
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


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
        _unmount(mnt)



# -- read-only file system ------------------------------------------------------------------------
#
# A file system with files open for writing cannot be remounted read-only (`mount -o remount,ro`
# answers "mount point is busy"), so the test does what the kernel does to a failing disk: an ext4
# file system mounted with errors=remount-ro (the usual setting) turns read-only under the running
# server on its first error, here raised through ext4's own `trigger_fs_error`. Such a file system
# stays read-only until it is unmounted and checked, so recovery is: stop the node, fsck, mount,
# start, and every acknowledged write is there.

def _mount_ext4(image: Path, path: Path, size_mb: int, fresh: bool) -> Path:
    """Mounts `image` (made with mkfs.ext4 when `fresh`) at `path` on a loop device; returns
    ext4's `trigger_fs_error` file for it. Skips the test when any of that is unavailable."""
    if os.geteuid() != 0 or shutil.which("mkfs.ext4") is None or shutil.which("losetup") is None:
        pytest.skip("needs root, mkfs.ext4 and loop devices to make an ext4 file system that can turn read-only")
    if fresh:
        with open(image, "wb") as f:
            f.truncate(size_mb << 20)
        r = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-o", "loop,errors=remount-ro", str(image), str(path)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount an ext4 image on a loop device: {r.stderr.strip()}")
    source = subprocess.run(["findmnt", "-no", "SOURCE", str(path)], capture_output=True, text=True).stdout.strip()
    trigger = Path("/sys/fs/ext4") / Path(source).name / "trigger_fs_error"
    if not trigger.exists():
        subprocess.run(["umount", str(path)], capture_output=True)
        pytest.skip(f"this kernel has no {trigger}")
    return trigger


def _read_only_error(body) -> str:
    """The reason of an OpenSearch-shaped error that names the read-only file system."""
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), body
    err = body["error"]
    assert isinstance(err.get("type"), str) and err["type"], body
    assert "Read-only file system" in err.get("reason", ""), body
    return err["reason"]


def _all_ns(url, index):
    """Every document of `index` as id -> n, failing on a duplicate id."""
    r = requests.post(url + f"/{index}/_search", json={"size": 10_000, "query": {"match_all": {}}}, timeout=60)
    assert r.status_code == 200, r.text[:500]
    out = {}
    for h in r.json()["hits"]["hits"]:
        assert h["_id"] not in out, f"document {h['_id']} returned twice"
        out[h["_id"]] = h["_source"]["n"]
    return out


def test_read_only_file_system_fails_writes_clearly_keeps_reads_and_recovers(tmp_path):
    image, mnt = tmp_path / "disk.ext4", tmp_path / "rofs"
    trigger = _mount_ext4(image, mnt, 128, fresh=True)
    srv = None
    try:
        srv = SearchlightServer(mnt / "data", tmp_path / "logs", extra_args=["--no-bootstrap"]).start()
        url = srv.url
        # `ro` refreshes only when asked, so some acknowledged documents are only in the translog
        # when the disk turns read-only; `robg` refreshes every 2 s, so background refreshes with
        # documents to write run against the read-only disk.
        for index, interval in (("ro", "-1"), ("robg", "2s")):
            r = requests.put(url + f"/{index}", json={"settings": {"number_of_replicas": 0, "refresh_interval": interval}},
                             timeout=30)
            assert r.status_code == 200, r.text
        acked = {"ro": set(), "robg": set()}
        pad = "y" * 200
        for batch in range(12):  # 12 segments: the merge policy wants a merge
            r = _bulk(url, "ro", batch * 50, 50, pad)
            assert r.status_code == 200 and not r.json()["errors"], r.text[:500]
            acked["ro"].update(range(batch * 50, batch * 50 + 50))
            assert requests.post(url + "/ro/_refresh", timeout=30).status_code == 200
        refreshed = set(acked["ro"])
        r = _bulk(url, "ro", 5000, 100, pad)  # acknowledged, in the translog, not yet in a segment
        assert r.status_code == 200 and not r.json()["errors"]
        acked["ro"].update(range(5000, 5100))
        r = _bulk(url, "robg", 0, 300, pad)
        assert r.status_code == 200 and not r.json()["errors"]
        acked["robg"].update(range(300))
        time.sleep(1.0)  # let the background merge of `ro` run
        assert requests.post(url + "/robg/_refresh", timeout=30).status_code == 200
        r = _bulk(url, "robg", 300, 50, pad)  # buffered until the next scheduled refresh, in 2 s
        assert r.status_code == 200 and not r.json()["errors"]
        acked["robg"].update(range(300, 350))

        trigger.write_text("searchlight reliability test\n")
        with pytest.raises(OSError) as e:
            (mnt / "probe").write_bytes(b"x")
        assert e.value.errno == errno.EROFS

        # Writes fail with a clear error: bulk items, single documents, a new index.
        r = _bulk(url, "ro", 20_000, 20, pad)
        assert r.status_code == 200, r.text[:500]
        body = r.json()
        assert body["errors"] is True
        for item in body["items"]:
            op = item["index"]
            assert op["status"] >= 500, op
            _read_only_error({"error": op["error"]})
        r = requests.put(url + "/robg/_doc/x1", json={"n": -1}, timeout=30)
        assert r.status_code >= 500, r.text[:500]
        assert r.json()["status"] == r.status_code
        _read_only_error(r.json())
        r = requests.put(url + "/newindex", json={"settings": {"number_of_replicas": 0}}, timeout=30)
        assert r.status_code >= 500, r.text[:500]
        _read_only_error(r.json())

        # Refresh, flush and force-merge cannot write: a clear error, not a crash or a hang.
        for path in ("/ro/_refresh", "/ro/_flush", "/ro/_forcemerge?max_num_segments=1"):
            r = requests.post(url + path, timeout=60)
            assert r.status_code >= 500, (path, r.text[:500])
            _read_only_error(r.json())
        time.sleep(4.5)  # two scheduled refreshes of `robg` fail to write its buffer
        assert srv.alive(), srv.log_tail()

        # Reads keep answering, with the right answers.
        assert requests.get(url + "/", timeout=10).status_code == 200
        assert requests.get(url + "/_cluster/health", timeout=10).status_code == 200
        r = requests.post(url + "/ro/_count", json={"query": {"match_all": {}}}, timeout=30)
        assert r.status_code == 200 and r.json()["count"] == len(refreshed), r.text[:500]
        r = requests.post(url + "/ro/_search", json={"size": 0, "query": {"range": {"n": {"gte": 100, "lt": 200}}}},
                          timeout=30)
        assert r.status_code == 200 and r.json()["hits"]["total"]["value"] == 100, r.text[:500]
        assert _all_ns(url, "robg") == {str(i): i for i in range(300)}
        r = requests.get(url + "/robg/_doc/320", timeout=10)  # realtime GET of a buffered document
        assert r.status_code == 200 and r.json()["_source"]["n"] == 320, r.text[:500]
        assert requests.get(url + "/ro/_doc/7", timeout=10).json()["_source"]["n"] == 7
        r = requests.get(url + "/ro/_doc/5050", timeout=10)  # realtime GET: only in the write buffer
        assert r.status_code == 200 and r.json()["_source"]["n"] == 5050, r.text[:500]
        assert requests.get(url + "/ro/_doc/20000", timeout=10).status_code == 404  # the failed write left nothing
        assert srv.alive(), srv.log_tail()

        # A clean stop on the read-only disk: it exits by itself (no SIGKILL needed).
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=15) == 0, srv.log_tail()
        srv.stop()

        # The operator repairs the file system: unmount, fsck, mount again.
        r = subprocess.run(["umount", str(mnt)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        r = subprocess.run(["e2fsck", "-fy", str(image)], capture_output=True, text=True)
        assert r.returncode in (0, 1), r.stdout + r.stderr  # 1: errors corrected
        _mount_ext4(image, mnt, 128, fresh=False)

        # No torn translog or catalog, and every acknowledged document is there exactly once.
        databases = list((mnt / "data").rglob("*.sqlite"))
        assert databases, "no SQLite files under the data directory"
        for db in databases:
            con = sqlite3.connect(str(db))
            try:
                assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", db
            finally:
                con.close()
        srv.start()
        url = srv.url
        requests.post(url + "/_refresh", timeout=30)
        assert _all_ns(url, "ro") == {str(i): i for i in acked["ro"]}
        assert _all_ns(url, "robg") == {str(i): i for i in acked["robg"]}

        # And the node writes again.
        r = _bulk(url, "ro", 30_000, 40, pad)
        assert r.status_code == 200 and not r.json()["errors"], r.text[:500]
        acked["ro"].update(range(30_000, 30_040))
        assert requests.post(url + "/ro/_forcemerge?max_num_segments=1", timeout=60).status_code == 200
        assert _all_ns(url, "ro") == {str(i): i for i in acked["ro"]}
        assert requests.put(url + "/newindex", json={"settings": {"number_of_replicas": 0}}, timeout=30).status_code == 200
        r = requests.get(url + "/_cluster/health", timeout=10)
        assert r.json()["status"] == "green", r.text
    finally:
        if srv is not None:
            srv.kill()
        _unmount(mnt)
