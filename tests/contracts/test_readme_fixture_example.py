"""The README's examples of a user's own tests with the `mem0_mock` fixture, verbatim."""

import re
from pathlib import Path

import pytest
from mem0 import MemoryClient
from mem0.exceptions import RateLimitError

README = Path(__file__).resolve().parents[2] / "README.md"


def test_my_agent_remembers(mem0_mock):
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    client.add([{"role": "user", "content": "I'm a vegetarian."}], user_id="u1")
    assert "vegetarian" in client.search("Any dinner ideas?", user_id="u1")[0]["memory"].lower()


def test_search_is_retried_after_a_429(mem0_mock):
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    mem0_mock.add_fault("searchMemoriesV2", status=429, headers={"Retry-After": "1"}, times=1)
    with pytest.raises(RateLimitError):
        client.search("dinner?", version="v2", filters={"user_id": "u1"})
    assert client.search("dinner?", version="v2", filters={"user_id": "u1"}) == []
    assert [e["status"] for e in mem0_mock.requests(operation="searchMemoriesV2")] == [429, 200]


def test_my_agent_starts_from_known_memories(mem0_mock):
    mem0_mock.load_memories([{"text": "Is allergic to nuts", "user_id": "u1", "categories": ["health"]}])
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    saved = mem0_mock.snapshot()
    client.delete_all(user_id="u1")
    mem0_mock.restore(saved)                      # back to the saved state
    assert client.get_all(user_id="u1")[0]["memory"] == "Is allergic to nuts"


def test_a_memory_expires(mem0_mock):
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    mem0_mock.set_clock("2025-01-01T00:00:00Z")
    client.add([{"role": "user", "content": "In Lisbon"}], user_id="u1", infer=False, expiration_date="2025-01-07")
    mem0_mock.advance_clock(7 * 86400)
    assert client.get_all(user_id="u1") == []


def test_state_is_fresh_for_each_test(mem0_mock):
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    assert client.get_all(user_id="u1") == []


def test_the_readme_examples_are_these():
    source = Path(__file__).read_text()
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    examples = [block for block in blocks if "mem0_mock" in block]
    assert len(examples) == 2
    for block in examples:
        for function in re.split(r"\n(?=def )", block):
            if function.startswith("def "):
                assert function.strip() in source, f"README example not tested verbatim:\n{function}"
