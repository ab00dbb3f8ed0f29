"""_reindex through opensearch-py: a filtered copy, max_docs, op_type=create conflicts, the async
form with _tasks, and refusals of what Searchlight does not do (remote sources, scripts)."""

import time

import pytest
from opensearchpy.exceptions import RequestError

N = 2500  # more than one scroll batch


@pytest.fixture
def src(client, index_name):
    client.indices.create(index=index_name, body={"mappings": {"properties": {"n": {"type": "long"}, "g": {"type": "keyword"}}}})
    body = []
    for i in range(N):
        body.append({"index": {"_index": index_name, "_id": str(i)}})
        body.append({"n": i, "g": "even" if i % 2 == 0 else "odd"})
    assert client.bulk(body=body, refresh=True)["errors"] is False
    return index_name


def test_reindex_copies_the_matching_documents(client, src):
    dest = src + "-copy"
    r = client.reindex(body={"source": {"index": src, "query": {"term": {"g": "even"}}}, "dest": {"index": dest}}, refresh=True)
    assert r["total"] == N // 2 and r["created"] == N // 2 and r["failures"] == []
    assert r["batches"] >= 2
    client.indices.refresh(index=dest)
    assert client.count(index=dest)["count"] == N // 2
    assert client.get(index=dest, id="42")["_source"] == {"n": 42, "g": "even"}
    # Again with op_type=create: every document now conflicts; `proceed` counts instead of failing.
    r = client.reindex(body={"source": {"index": src, "query": {"term": {"g": "even"}}}, "dest": {"index": dest, "op_type": "create"},
                             "conflicts": "proceed"})
    assert r["version_conflicts"] == N // 2 and r["created"] == 0


def test_reindex_max_docs_and_async_task(client, src):
    dest = src + "-some"
    r = client.reindex(body={"source": {"index": src}, "dest": {"index": dest}, "max_docs": 10})
    assert r["created"] == 10
    r = client.reindex(body={"source": {"index": src}, "dest": {"index": src + "-all"}}, wait_for_completion=False)
    task = r["task"]
    for _ in range(200):
        t = client.tasks.get(task_id=task)
        if t["completed"]:
            break
        time.sleep(0.05)
    assert t["completed"] is True
    assert t["response"]["created"] == N
    assert t["task"]["action"] == "indices:data/write/reindex"


def test_reindex_refusals(client, src):
    with pytest.raises(RequestError):
        client.reindex(body={"source": {"index": src}, "dest": {"index": "x"}, "script": {"source": "ctx._source.n++"}})
    with pytest.raises(RequestError):
        client.reindex(body={"source": {"index": src}})
