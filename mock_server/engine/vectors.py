"""Memory vectors for the optional semantic backend: one growing matrix, one row per memory.

Rows are unit vectors, so a cosine is a dot product. Cosines are rounded to 6 decimals
(what the API reports) so that scoring many memories at once and scoring one give the
same value, whatever order the floating-point sums ran in.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["VectorStore"]

COSINE_DECIMALS = 6


class VectorStore:
    """Unit vectors by memory id. Not thread-safe: the namespace calls it under its lock."""

    def __init__(self) -> None:
        self._slots: dict[str, int] = {}
        self._free: list[int] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, memory_id: object) -> bool:
        return memory_id in self._slots

    def put(self, memory_id: str, vector: np.ndarray) -> None:
        """Store (or replace) a memory's vector; every vector must have the same size."""
        row = np.asarray(vector, dtype=np.float32).reshape(-1)
        if self._matrix.shape[1] == 0:
            self._matrix = np.zeros((0, row.size), dtype=np.float32)
        if row.size != self._matrix.shape[1]:
            raise ValueError(f"vector of size {row.size}, expected {self._matrix.shape[1]}")
        slot = self._slots.get(memory_id)
        if slot is None:
            slot = self._free.pop() if self._free else self._grow()
            self._slots[memory_id] = slot
        self._matrix[slot] = row

    def _grow(self) -> int:
        used = len(self._slots) + len(self._free)
        if used == self._matrix.shape[0]:
            bigger = np.zeros((max(16, 2 * used), self._matrix.shape[1]), dtype=np.float32)
            bigger[:used] = self._matrix[:used]
            self._matrix = bigger
        return used

    def discard(self, memory_id: str) -> None:
        slot = self._slots.pop(memory_id, None)
        if slot is not None:
            self._matrix[slot] = 0.0
            self._free.append(slot)

    def cosines(self, query: np.ndarray, memory_ids: Iterable[str] | None = None) -> dict[str, float]:
        """Cosine of the query with each stored memory (of `memory_ids`, when given)."""
        ids = list(self._slots) if memory_ids is None else [mid for mid in memory_ids if mid in self._slots]
        if not ids:
            return {}
        slots = np.fromiter((self._slots[mid] for mid in ids), dtype=np.intp, count=len(ids))
        values = np.round(self._matrix[slots].astype(np.float64) @ _query(query), COSINE_DECIMALS)
        return dict(zip(ids, values.tolist(), strict=True))

    def cosine(self, query: np.ndarray, memory_id: str) -> float | None:
        """One memory's cosine (None when it has no vector), equal to its `cosines` value."""
        found = self.cosines(query, (memory_id,))
        return found.get(memory_id)


def _query(vector: np.ndarray) -> np.ndarray:
    return np.asarray(vector, dtype=np.float64).reshape(-1)
