"""Fixtures that run the real `searchlight` binary and hand tests a real opensearch-py client.

- `server` / `client`: one server for the whole session on a fresh temp data dir (tests use
  unique index names via `index_name`, so they do not see each other's data).
- `new_server`: a factory for extra servers with their own data dir (durability tests kill -9 and
  restart them with `srv.restart()`; the data dir survives, the port changes).
"""

from __future__ import annotations

import itertools
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from support import SearchlightServer

_counter = itertools.count()


@pytest.fixture(scope="session")
def server_root():
    root = Path(tempfile.mkdtemp(prefix="searchlight-client-tests-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def server(server_root):
    srv = SearchlightServer(server_root / "main" / "data", server_root / "main" / "logs")
    srv.start()
    yield srv
    srv.kill()


@pytest.fixture(autouse=True)
def _session_server_guard(request):
    """If an earlier test crashed or hung the shared server, restart it (same data dir, same port,
    so the session's clients keep working) instead of failing every test after it. The test that
    broke it has already failed with the server log attached."""
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        if not srv.responsive():
            port = srv.port
            srv.kill()
            srv.start(port=port)
    yield


@pytest.fixture(scope="session")
def client(server):
    c = server.client()
    yield c
    c.close()


@pytest.fixture
def gzip_client(server):
    c = server.client(http_compress=True)
    yield c
    c.close()


@pytest.fixture
def index_name(request):
    """A unique, valid, lowercase index name per test."""
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:60]
    return f"t{next(_counter)}-{base}"


@pytest.fixture
def new_server(server_root):
    started = []

    def make() -> SearchlightServer:
        d = Path(tempfile.mkdtemp(prefix="srv-", dir=server_root))
        srv = SearchlightServer(d / "data", d / "logs")
        started.append(srv)
        return srv.start()

    yield make
    for srv in started:
        srv.kill()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of the session server's log to the report."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        srv = item.funcargs.get("server") if hasattr(item, "funcargs") else None
        if isinstance(srv, SearchlightServer):
            if not srv.alive():
                rep.sections.append(("searchlight", f"server process is DEAD (rc={srv.proc.returncode})"))
            rep.sections.append(("searchlight log tail", srv.log_tail(2000)))
