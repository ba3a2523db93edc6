"""Optional semantic backends: text -> unit vector, fused with the lexical score in search.

An `Embedder` turns texts into unit-length vectors (one row per text) or raises
`errors.Unavailable`. Two kinds ship here, chosen by `embedder_from_spec`:

- `HttpEmbedder`: any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM,
  text-embeddings-inference, LM Studio): POST {"model", "input": [texts]} answered by
  {"data": [{"embedding": [...], "index": i}, ...]}. Plain `requests`, no server code.
- `SentenceTransformerEmbedder`: a local sentence-transformers model directory (the
  `embeddings` extra), loaded once, run on the CPU.

`CachedEmbedder` keeps each text's vector, so a text is embedded once however often it is
stored or asked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import requests

from .errors import Unavailable

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "HttpEmbedder",
    "SentenceTransformerEmbedder",
    "embedder_from_spec",
    "unit_rows",
]

LOCAL_PREFIX = "sentence-transformers:"


class Embedder(Protocol):
    """Texts in, one unit-length float32 row per text out; `Unavailable` when it cannot."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def unit_rows(matrix: Any) -> np.ndarray:
    """Rows scaled to length 1 (all-zero rows stay zero), as float32."""
    rows = np.asarray(matrix, dtype=np.float32)
    if rows.ndim != 2:
        raise ValueError("expected one vector per text")
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def endpoint_of(url: str) -> str:
    """The embeddings URL for a base URL: `http://host:11434` and `.../v1` both work."""
    url = url.rstrip("/")
    if url.endswith("/embeddings"):
        return url
    return url + ("/embeddings" if url.endswith("/v1") else "/v1/embeddings")


class HttpEmbedder:
    """An OpenAI-compatible embeddings endpoint, asked in batches."""

    def __init__(
        self, url: str, model: str | None = None, api_key: str | None = None,
        timeout: float = 30.0, batch_size: int = 128,
    ) -> None:
        self.url = endpoint_of(url)
        self.model = model or "text-embedding-3-small"
        self.name = f"{self.url} ({self.model})"
        self.timeout = timeout
        self.batch_size = batch_size
        self._session = requests.Session()
        if api_key:
            self._session.headers["Authorization"] = f"Bearer {api_key}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            rows.extend(self._batch(list(texts[start : start + self.batch_size])))
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        try:
            return unit_rows(rows)
        except ValueError as exc:  # ragged vectors
            raise Unavailable(f"The embedder at {self.url} answered vectors of different sizes.") from exc

    def _batch(self, texts: list[str]) -> list[list[float]]:
        try:
            response = self._session.post(
                self.url, json={"model": self.model, "input": texts}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise Unavailable(f"The embedder at {self.url} cannot be reached: {type(exc).__name__}.") from exc
        if response.status_code != 200:
            raise Unavailable(f"The embedder at {self.url} answered HTTP {response.status_code}.")
        try:
            items = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors = [[float(x) for x in item["embedding"]] for item in items]
        except (ValueError, KeyError, TypeError) as exc:
            raise Unavailable(f"The embedder at {self.url} answered something that is not embeddings.") from exc
        if len(vectors) != len(texts) or not all(vectors):
            raise Unavailable(f"The embedder at {self.url} answered {len(vectors)} vectors for {len(texts)} texts.")
        return vectors


class SentenceTransformerEmbedder:
    """A local sentence-transformers model directory, on the CPU, nothing fetched."""

    def __init__(self, path: str, batch_size: int = 64) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise Unavailable(
                "sentence-transformers is not installed (pip install 'mem0-contract[embeddings]')."
            ) from exc
        try:
            self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many kinds for a bad directory
            raise Unavailable(f"Cannot load the sentence-transformers model at {path}: {exc}") from exc
        self.name = f"{LOCAL_PREFIX}{path}"
        self.batch_size = batch_size
        self._lock = threading.Lock()  # one encode at a time: the model is not re-entrant

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            try:
                vectors = self._model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True)
            except Exception as exc:
                raise Unavailable(f"The local embedder failed: {exc}") from exc
        return unit_rows(vectors)


class CachedEmbedder:
    """Another embedder with each text's vector remembered (least recently used dropped)."""

    def __init__(self, inner: Embedder, max_entries: int = 100_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.max_entries = max_entries
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        distinct = list(dict.fromkeys(texts))
        with self._lock:
            known = {text: self._cache[text] for text in distinct if text in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        missing = [text for text in distinct if text not in known]
        if missing:
            fresh = self.inner.embed(missing)  # raises before anything is cached
            with self._lock:
                for text, row in zip(missing, fresh, strict=True):
                    self._cache[text] = known[text] = row
                while len(self._cache) > self.max_entries:
                    self._cache.popitem(last=False)
        return np.stack([known[text] for text in texts])


def embedder_from_spec(spec: str, model: str | None = None, api_key: str | None = None) -> Embedder:
    """`http(s)://...` (an OpenAI-compatible server) or `sentence-transformers:PATH`, cached."""
    if spec.startswith(LOCAL_PREFIX):
        return CachedEmbedder(SentenceTransformerEmbedder(spec[len(LOCAL_PREFIX):]))
    if spec.startswith(("http://", "https://")):
        return CachedEmbedder(HttpEmbedder(spec, model=model, api_key=api_key))
    raise ValueError(f"unknown embedder {spec!r}: give an http(s):// URL or {LOCAL_PREFIX}PATH")
