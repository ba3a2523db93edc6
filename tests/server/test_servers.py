"""`mem0-mock --server granian|waitress`: the same mock under either server, as users start it.

granian keeps the state in one worker process that builds the app itself; these tests
check what that adds: the worker's own start failures end the run with their status, it
dies with mem0-mock (even by kill -9), and fault drops still fail the client's read.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from mock_server.engine.storage import Storage
from mock_server.server.serving import granian_available
from tests.processes import free_port, mock_command, running_mock

SERVERS = ["granian", "waitress"]
AUTH = {"Authorization": "Token m0-servers"}


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> str:
    if request.param == "granian":
        assert granian_available(), "granian is a dependency wherever its wheel installs"
    return request.param


def test_the_same_mock_under_either_server(server: str):
    with running_mock("--server", server, "--seed", "3") as (url, process):
        added = requests.post(f"{url}/v1/memories/", headers=AUTH, timeout=5, json={
            "messages": [{"role": "user", "content": "I love sailing"}], "user_id": "alex", "infer": False})
        found = requests.post(f"{url}/v2/memories/search/", headers=AUTH, timeout=5,
                              json={"query": "sailing", "filters": {"user_id": "alex"}})
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert added.status_code == 200 and found.json()[0]["memory"] == "I love sailing"
    threads = 2 if server == "granian" else 8
    assert f"serving on {url} by {server}, {threads} threads" in output
    assert "POST /v1/memories/ 200" in output  # the console line comes from the process that serves


def test_a_dropped_connection_fails_the_clients_read(server: str):
    with running_mock("--server", server) as (url, process):
        rule = requests.post(f"{url}/_mock/faults", json={"path": "ping", "drop": True}, timeout=5)
        assert rule.status_code == 201
        with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            requests.get(f"{url}/v1/ping/", headers=AUTH, timeout=5)
        [entry] = requests.get(f"{url}/_mock/requests", params={"path": "/v1/ping/"}, timeout=5).json()["requests"]
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert entry["status"] is None
    assert "GET /v1/ping/ dropped" in output and "Traceback" not in output


def test_a_start_failure_in_the_worker_is_one_clear_error_and_its_status(server: str, tmp_path: Path):
    data = tmp_path / "held.db"
    holder = Storage(data)  # another process holds the file: the server's process cannot take it
    try:
        result = subprocess.run([*mock_command(), "--server", server, "--port", str(free_port()), "--data", str(data)],
                                capture_output=True, text=True, timeout=60)
    finally:
        holder.close()
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("is in use by another process") == 1, result.stderr
    assert "serving" not in result.stdout and "Unexpected exit" not in result.stdout + result.stderr


def test_a_busy_port_is_refused_before_the_worker_starts(server: str):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run([*mock_command(), "--server", server, "--port", str(port)],
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.count("cannot listen") == 1 and "serving" not in result.stdout


def test_granians_worker_ends_with_mem0_mock_even_by_kill_9():
    with running_mock("--server", "granian") as (url, process):
        assert requests.get(f"{url}/v1/ping/", headers=AUTH, timeout=5).ok
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while True:  # the worker notices its parent is gone and exits: nothing answers any more
            try:
                requests.get(f"{url}/v1/ping/", headers=AUTH, timeout=1)
            except requests.ConnectionError:
                break
            assert time.monotonic() < deadline, "the worker outlived mem0-mock"
            time.sleep(0.05)


def test_granian_stops_cleanly_on_ctrl_c():
    with running_mock("--server", "granian") as (url, process):
        assert requests.get(f"{url}/v1/ping/", headers=AUTH, timeout=5).ok
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0


def test_a_request_held_by_a_delay_fault_does_not_hold_up_the_rest(server: str):
    """Under each server's default thread count, a delayed request leaves the mock answering."""
    with running_mock("--server", server) as (url, _):
        rule = requests.post(f"{url}/_mock/faults", json={"path": "searchMemoriesV2", "delay_ms": 3000}, timeout=5)
        assert rule.status_code == 201, rule.text

        answers: list[int] = []
        held = threading.Thread(target=lambda: answers.append(requests.post(
            f"{url}/v2/memories/search/", headers=AUTH, timeout=30, json={"query": "x", "filters": {"user_id": "a"}}
        ).status_code))
        held.start()
        deadline = time.monotonic() + 10
        while requests.get(f"{url}/_mock/faults", timeout=5).json()["faults"][0]["hits"] == 0:  # until it is held
            assert time.monotonic() < deadline, "the delayed request never reached the mock"
        answered = requests.get(f"{url}/v1/ping/", headers=AUTH, timeout=10)
        assert answered.status_code == 200 and held.is_alive()  # answered while the other is held
        held.join(timeout=20)
        assert answers == [200]


def _cores(allowed: str) -> set[int]:
    """A `Cpus_allowed_list` ("0-3,6") as a set."""
    cores: set[int] = set()
    for part in allowed.split(","):
        first, _, last = part.partition("-")
        cores.update(range(int(first), int(last or first) + 1))
    return cores


def _thread_cores(pid: int) -> list[set[int]]:
    """The cores each thread of a process may run on."""
    found = []
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        with contextlib.suppress(FileNotFoundError):  # a thread that ended meanwhile
            line = next(x for x in status.read_text().splitlines() if x.startswith("Cpus_allowed_list:"))
            found.append(_cores(line.split(":", 1)[1].strip()))
    return found


def _granian_worker(process: subprocess.Popen) -> int:
    [worker] = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return int(worker)


def _both_threads_serve(url: str) -> None:
    """One request held by a delay fault while another is answered: each thread serves one."""
    rule = requests.post(f"{url}/_mock/faults", json={"path": "searchMemoriesV2", "delay_ms": 500}, timeout=5)
    assert rule.status_code == 201, rule.text
    held = threading.Thread(target=lambda: requests.post(
        f"{url}/v2/memories/search/", headers=AUTH, timeout=30, json={"query": "x", "filters": {"user_id": "a"}}))
    held.start()
    deadline = time.monotonic() + 10
    while requests.get(f"{url}/_mock/faults", timeout=5).json()["faults"][0]["hits"] == 0:
        assert time.monotonic() < deadline, "the delayed request never reached the mock"
    assert requests.get(f"{url}/v1/ping/", headers=AUTH, timeout=10).status_code == 200
    held.join(timeout=20)


needs_two_cores = pytest.mark.skipif(
    not Path("/proc/self/task").exists() or len(os.sched_getaffinity(0)) < 2,
    reason="thread affinity is read from Linux's /proc, on a machine of two cores or more",
)


@needs_two_cores
def test_granians_request_threads_share_one_core():
    everywhere = os.sched_getaffinity(0)
    with running_mock("--server", "granian") as (url, process):
        _both_threads_serve(url)
        cores = _thread_cores(_granian_worker(process))
    pinned = [allowed for allowed in cores if allowed != everywhere]
    assert len(pinned) == 2, cores  # the two request threads, and only they
    assert pinned[0] == pinned[1] and len(pinned[0]) == 1 and pinned[0] <= everywhere


@needs_two_cores
def test_any_core_leaves_the_request_threads_where_the_system_puts_them():
    everywhere = os.sched_getaffinity(0)
    with running_mock("--server", "granian", "--any-core") as (url, process):
        _both_threads_serve(url)
        cores = _thread_cores(_granian_worker(process))
    assert cores and all(allowed == everywhere for allowed in cores), cores
