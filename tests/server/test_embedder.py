"""The optional semantic backend: an OpenAI-compatible /v1/embeddings server, fused with search.

A tiny stdlib server speaks the protocol on a free port. Its vectors are bags of words
hashed into 64 dimensions, with two invented words ("zorblax", "quux") given the same
vector, so a query can be found through the embeddings alone. It can be told to fail.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from mock_server.engine.embedders import HttpEmbedder, embedder_from_spec
from mock_server.engine.errors import Unavailable
from mock_server.server import MockConfig, create_app
from mock_server.server.cli import main as cli_main
from tests.conftest import auth
from tests.processes import free_port, mock_command

DIMENSIONS = 64
SAME_MEANING = {"quux": "zorblax"}


def fake_vector(text: str) -> list[float]:
    vector = [0.0] * DIMENSIONS
    for word in text.lower().replace(".", " ").replace("?", " ").split():
        word = SAME_MEANING.get(word, word)
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0
    return vector


class FakeEmbeddings:
    """An /v1/embeddings endpoint on a free port; `failing` makes it answer 500, `garbage`
    a 200 that is not embeddings."""

    def __init__(self) -> None:
        self.failing = False
        self.garbage = False
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                if fake.failing:
                    self.send_response(500)
                    self.end_headers()
                    return
                data = [{"object": "embedding", "index": i, "embedding": fake_vector(t)}
                        for i, t in reversed(list(enumerate(body["input"])))]  # out of order on purpose
                answer = {"object": "list", "data": data, "model": body["model"]}
                payload = json.dumps({"data": data[:-1]} if fake.garbage else answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> FakeEmbeddings:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeEmbeddings]:
    with FakeEmbeddings() as server:
        yield server


@pytest.fixture
def hybrid(fake: FakeEmbeddings):
    app = create_app(MockConfig(strict=True, embedder=embedder_from_spec(fake.url, model="fake-1")))
    return app.test_client()


def add(client, *texts: str, user: str = "u1"):
    body = {"messages": [{"role": "user", "content": t} for t in texts], "user_id": user, "infer": False,
            "output_format": "v1.1"}
    return client.post("/v1/memories/", json=body, headers=auth())


def search(client, query: str, user: str = "u1"):
    return client.post("/v2/memories/search/", json={"query": query, "filters": {"user_id": user}}, headers=auth())


def stored(client, user: str = "u1") -> list[str]:
    response = client.post("/v2/memories/", json={"filters": {"user_id": user}}, headers=auth())
    assert response.status_code == 200
    return sorted(m["memory"] for m in response.json)


def test_http_embedder_speaks_the_openai_protocol(fake):
    embedder = HttpEmbedder(fake.url, model="fake-1", api_key="sk-test")
    vectors = embedder.embed(["zorblax garden", "quux garden", "tea"])
    assert vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.allclose(vectors[0], vectors[1])  # rows follow "index", not the answer's order
    assert fake.requests[-1] == {"path": "/v1/embeddings", "auth": "Bearer sk-test",
                                 "body": {"model": "fake-1", "input": ["zorblax garden", "quux garden", "tea"]}}


def test_each_text_is_embedded_once(fake):
    embedder = embedder_from_spec(fake.url + "/v1")
    embedder.embed(["a b", "c d"])
    embedder.embed(["c d", "a b", "e f"])
    assert [r["body"]["input"] for r in fake.requests] == [["a b", "c d"], ["e f"]]


def test_hybrid_search_finds_what_only_the_embeddings_relate(hybrid):
    assert add(hybrid, "I keep a zorblax in the garden", "Likes tea").status_code == 200
    response = search(hybrid, "quux")
    assert response.status_code == 200
    assert [m["memory"] for m in response.json] == ["I keep a zorblax in the garden"]
    assert 0.3 <= response.json[0]["score"] <= 1.0


def test_without_an_embedder_the_same_query_finds_nothing(client):
    add(client, "I keep a zorblax in the garden")
    assert search(client, "quux").json == []


def test_a_failing_backend_answers_503_and_changes_nothing(hybrid, fake):
    first = add(hybrid, "Likes tea")
    memory_id = first.json["results"][0]["id"]
    fake.failing = True

    response = add(hybrid, "Plays chess on Sundays")
    assert response.status_code == 503
    assert "embedder" in response.json["detail"] and set(response.json) == {"detail"}
    inferred = hybrid.post("/v1/memories/", json={"messages": [{"role": "user", "content": "I live in Oslo"}],
                                                   "user_id": "u1"}, headers=auth())
    assert inferred.status_code == 503
    updated = hybrid.put(f"/v1/memories/{memory_id}/", json={"text": "Likes coffee"}, headers=auth())
    assert updated.status_code == 503
    batch = hybrid.put("/v1/batch/", json={"memories": [{"memory_id": memory_id, "text": "Likes cocoa"}]},
                       headers=auth())
    assert batch.status_code == 503
    assert search(hybrid, "tea").status_code == 503
    assert stored(hybrid) == ["Likes tea"]
    history = hybrid.get(f"/v1/memories/{memory_id}/history/", headers=auth()).json
    assert [entry["event"] for entry in history] == ["ADD"]

    fake.failing = False  # back up: everything works again, nothing half-done was left behind
    assert add(hybrid, "Plays chess on Sundays").status_code == 200
    assert stored(hybrid) == ["Likes tea", "Plays chess on Sundays"]
    assert [m["memory"] for m in search(hybrid, "chess").json] == ["Plays chess on Sundays"]


@pytest.mark.parametrize("server", ["granian", "waitress"])
def test_unreachable_embedder_is_a_startup_error(server: str):
    with FakeEmbeddings() as dead:
        url = dead.url
    result = subprocess.run([*mock_command(), "--server", server, "--embedder", url, "--port", str(free_port())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    err = result.stderr.strip()
    assert err.startswith("mem0-mock: embedder ") and "cannot be reached" in err and "\n" not in err
    assert "serving" not in result.stdout


def test_unknown_embedder_spec_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        cli_main(["--embedder", "word2vec"])
    assert stop.value.code == 2
    assert "sentence-transformers:PATH" in capsys.readouterr().err


def test_embedder_api_key_comes_from_the_environment(fake, monkeypatch):
    from mock_server.server.cli import build_embedder

    monkeypatch.setenv("MEM0_EMBEDDER_API_KEY", "sk-from-env")
    build_embedder(fake.url, "fake-2")
    assert fake.requests[-1]["auth"] == "Bearer sk-from-env"
    assert fake.requests[-1]["body"]["model"] == "fake-2"


def test_failures_and_malformed_answers_are_unavailable(fake):
    embedder = HttpEmbedder(fake.url)
    fake.failing = True
    with pytest.raises(Unavailable, match="HTTP 500"):
        embedder.embed(["x"])
    fake.failing, fake.garbage = False, True
    with pytest.raises(Unavailable, match="1 vectors for 2 texts"):
        embedder.embed(["x", "y"])
