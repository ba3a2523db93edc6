"""Parallel clients on a live mock: no lost writes, no cross-key leaks, no errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from tests.conftest import KEY_A, KEY_B, auth

THREADS = 8
ADDS_PER_THREAD = 25


def _add_then_delete_half(url: str, key: str, worker: int) -> list[int]:
    statuses = []
    with requests.Session() as http:
        http.headers.update(auth(key))
        ids = []
        for i in range(ADDS_PER_THREAD):
            body = {"messages": [{"role": "user", "content": f"fact {worker}-{i}"}], "user_id": "shared",
                    "infer": False, "output_format": "v1.1"}
            response = http.post(f"{url}/v1/memories/", json=body, timeout=30)
            statuses.append(response.status_code)
            ids.append(response.json()["results"][0]["id"])
        for memory_id in ids[::2]:
            statuses.append(http.delete(f"{url}/v1/memories/{memory_id}/", timeout=30).status_code)
        for memory_id in ids[1::2][:3]:
            body = {"text": f"updated {worker}"}
            statuses.append(http.put(f"{url}/v1/memories/{memory_id}/", json=body, timeout=30).status_code)
    return statuses


def test_parallel_writes_from_two_keys_are_all_kept_apart(live):
    jobs = [(key, worker) for key in (KEY_A, KEY_B) for worker in range(THREADS)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(lambda job: _add_then_delete_half(live.url, *job), jobs))
    assert {status for statuses in results for status in statuses} == {200}

    kept_per_worker = ADDS_PER_THREAD - (ADDS_PER_THREAD + 1) // 2
    for key in (KEY_A, KEY_B):
        listing = requests.post(f"{live.url}/v2/memories/", json={"filters": {"user_id": "shared"}},
                                headers=auth(key), timeout=30).json()
        assert len(listing) == THREADS * kept_per_worker
        assert len({memory["id"] for memory in listing}) == len(listing)
        assert sum(memory["memory"].startswith("updated") for memory in listing) == THREADS * 3
