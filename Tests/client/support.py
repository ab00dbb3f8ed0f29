"""Shared helpers for the client tests: start/stop/restart the real `searchlight` binary and
check OpenSearch-shaped errors."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Optional

import requests
from opensearchpy import OpenSearch
from opensearchpy.exceptions import TransportError

REPO_ROOT = Path(__file__).resolve().parents[2]


def server_binary() -> Path:
    raw = os.environ.get("SEARCHLIGHT_BIN") or ".build/debug/searchlight"
    path = Path(raw)
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SearchlightServer:
    """One `searchlight serve` process on a data directory that outlives restarts."""

    def __init__(self, data_dir: Path, log_dir: Path, binary: Optional[Path] = None,
                 host: str = "127.0.0.1", extra_args: Optional[list] = None,
                 auth: Optional[tuple] = None, tls_ca: Optional[Path] = None):
        """`auth`: (user, password) for a server with a users file; `tls_ca`: the CA (or
        self-signed certificate) of a server started with --tls-cert/--tls-key."""
        self.extra_args = list(extra_args or [])
        self.auth = auth
        self.tls_ca = str(tls_ca) if tls_ca else None
        self.data_dir = Path(data_dir)
        self.log_dir = Path(log_dir)
        self.binary = Path(binary) if binary else server_binary()
        self.host = host
        self.port: Optional[int] = None
        self.proc: Optional[subprocess.Popen] = None
        self.starts = 0
        self._log_file = None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{'https' if self.tls_ca else 'http'}://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"server-{self.starts}.log"

    def start(self, timeout: float = 90.0, port: Optional[int] = None) -> "SearchlightServer":
        """Start on `port` (default: a new free port) and wait until GET / answers."""
        if not self.binary.exists():
            raise RuntimeError(f"searchlight binary not found at {self.binary} "
                               f"(build it with `swift build` or set SEARCHLIGHT_BIN)")
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        self.starts += 1
        self.port = port or free_port()
        self._log_file = open(self.log_path, "wb")
        for attempt in range(20):
            try:
                self.proc = subprocess.Popen(
                    [str(self.binary), "serve", "--host", self.host, "--port", str(self.port),
                     "--data", str(self.data_dir)] + self.extra_args,
                    stdout=self._log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    cwd=str(REPO_ROOT), start_new_session=True)
                break
            except OSError as e:  # ETXTBSY: the binary is being relinked by a concurrent build
                if e.errno != errno.ETXTBSY or attempt == 19:
                    raise
                time.sleep(0.5)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"searchlight exited with {self.proc.returncode} during startup; "
                                   f"log tail:\n{self.log_tail()}")
            try:
                r = requests.get(self.url + "/", timeout=2, auth=self.auth, verify=self.tls_ca or True)
                if r.status_code == 200:
                    return
                last = f"HTTP {r.status_code}: {r.text[:200]}"
            except requests.RequestException as e:
                last = e
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"searchlight did not answer GET / within {timeout}s (last: {last}); "
                           f"log tail:\n{self.log_tail()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send `sig` (SIGKILL by default: no chance to flush anything) and reap the process."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close_log()

    def stop(self) -> None:
        """Graceful stop: SIGTERM, then SIGKILL if it does not exit within 15 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close_log()

    def restart(self, kill9: bool = True, timeout: float = 90.0) -> "SearchlightServer":
        """Stop (SIGKILL when kill9, else SIGTERM) and start again on the same data dir.
        The port changes: make new clients with `client()` afterwards."""
        if kill9:
            self.kill(signal.SIGKILL)
        else:
            self.stop()
        return self.start(timeout=timeout)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def responsive(self, timeout: float = 5.0) -> bool:
        if not self.alive():
            return False
        try:
            return requests.get(self.url + "/", timeout=timeout, auth=self.auth,
                                verify=self.tls_ca or True).status_code == 200
        except requests.RequestException:
            return False

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return "<no log>"

    # -- clients -----------------------------------------------------------------------------

    def client(self, **kwargs: Any) -> OpenSearch:
        opts: dict = dict(hosts=[{"host": self.host, "port": self.port}], timeout=30,
                          max_retries=0, retry_on_timeout=False)
        if self.auth:
            opts["http_auth"] = self.auth
        if self.tls_ca:
            opts.update(use_ssl=True, verify_certs=True, ca_certs=self.tls_ca)
        opts.update(kwargs)
        return OpenSearch(**opts)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        if self.auth and "auth" not in kwargs and "Authorization" not in (kwargs.get("headers") or {}):
            kwargs["auth"] = self.auth
        if self.tls_ca:
            kwargs.setdefault("verify", self.tls_ca)
        return requests.request(method, self.url + path, **kwargs)


# -- assertions --------------------------------------------------------------------------------

def assert_error_shape(body: Any, status: int, type_: Any) -> None:
    """`body` is an OpenSearch error response: {"error":{"root_cause":[…],"type","reason"},"status"}.
    `type_` is one type name or a collection of accepted names."""
    types = {type_} if isinstance(type_, str) else set(type_)
    assert isinstance(body, dict), f"error body is not a JSON object: {body!r}"
    assert body.get("status") == status, f"expected status {status} in body, got {body!r}"
    err = body.get("error")
    assert isinstance(err, dict), f"'error' is not an object: {body!r}"
    assert err.get("type") in types, f"expected error type in {sorted(types)}, got {body!r}"
    assert isinstance(err.get("reason"), str) and err["reason"], f"missing reason: {body!r}"
    rc = err.get("root_cause")
    assert isinstance(rc, list) and rc and isinstance(rc[0], dict) and "type" in rc[0], \
        f"bad root_cause: {body!r}"


def assert_client_error(exc: TransportError, status: int, type_: Any) -> None:
    """An opensearch-py exception carries the HTTP status and the parsed error body."""
    assert exc.status_code == status, f"expected HTTP {status}, got {exc.status_code}: {exc.info!r}"
    assert_error_shape(exc.info, status, type_)
