"""The README's example of a user's own test with the `mem0_mock` fixture, verbatim."""

from mem0 import MemoryClient


def test_my_agent_remembers(mem0_mock):
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    client.add([{"role": "user", "content": "I'm a vegetarian."}], user_id="u1")
    assert "vegetarian" in client.search("Any dinner ideas?", user_id="u1")[0]["memory"].lower()


def test_state_is_fresh_for_each_test(mem0_mock):
    client = MemoryClient(api_key=mem0_mock.api_key, host=mem0_mock.url)
    assert client.get_all(user_id="u1") == []
