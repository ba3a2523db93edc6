"""The suite's webhook receiver: what it records, how long it waits, when a target can reach it."""

from __future__ import annotations

import time

import pytest
import requests

from contracts.receiver import WebhookReceiver, is_loopback


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000/", True),
        ("http://[::1]:9000", True),
        ("http://127.3.4.5", True),
        ("https://api.mem0.ai", False),
        ("http://10.0.0.5:8000", False),
        ("http://localhost.example.com", False),
    ],
)
def test_is_loopback(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


def test_records_posts_by_path_and_waits_with_a_bound() -> None:
    receiver = WebhookReceiver().start()
    try:
        assert receiver.url.startswith("http://127.0.0.1:")
        answer = requests.post(f"{receiver.url}/a", json={"event_details": {"event": "ADD"}}, timeout=5)
        assert answer.status_code == 200 and answer.json() == {}
        requests.post(f"{receiver.url}/b", data="not json", timeout=5)
        got, ok = receiver.wait_for(lambda ds: len(ds) == 1, path="/a", timeout=5)
        assert ok and got[0].body == {"event_details": {"event": "ADD"}}
        assert [d.body for d in receiver.deliveries("/b")] == ["not json"]
        start = time.monotonic()
        _, ok = receiver.wait_for(lambda ds: len(ds) > 1, path="/a", timeout=0.3)
        assert not ok and time.monotonic() - start < 1.5
    finally:
        receiver.stop()


def test_an_advertised_address_needs_a_port() -> None:
    with pytest.raises(ValueError, match="port"):
        WebhookReceiver("https://hooks.example.com/")
    receiver = WebhookReceiver("http://hooks.example.com:1234/x/", port=0).start()
    try:
        assert receiver.advertised and receiver.url == "http://hooks.example.com:1234/x"
    finally:
        receiver.stop()
