"""Listing order (newest first, ties by id ascending), kept for a namespace's memories.

A search whose best score is shared by a large part of the namespace answers the first
few of that group in listing order. Sorting the whole group for ten of them costs more
than walking the namespace's memories in listing order and keeping the group's, which
stops as soon as the answer is full. This keeps that order: built by one sort the first
time it is asked for, then kept as memories come and go, so a store nobody searches that
way never pays for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .models import Memory


def listing_key(memory: Memory) -> tuple[float, str]:
    """Listing order: newest first, ties by id ascending."""
    return (-memory.created_at.timestamp(), memory.id)


class ListingOrder:
    """Ids of `memories` in listing order, once asked for; not thread-safe on its own (the
    namespace calls it under its lock).

    Held oldest first, so the usual add, of the newest memory, is an append; any other is
    a binary search and an insert.
    """

    def __init__(self, memories: Mapping[str, Memory]) -> None:
        self._memories = memories
        self._oldest_first: list[str] | None = None  # None: not asked for since the last reset

    def newest_first(self) -> Iterator[str]:
        """Every memory's id in listing order (building the order if it is not kept yet)."""
        if self._oldest_first is None:
            ordered = sorted(self._memories.values(), key=listing_key, reverse=True)
            self._oldest_first = [memory.id for memory in ordered]
        return reversed(self._oldest_first)

    def added(self, memory: Memory) -> None:
        """Take in a memory just stored (nothing to do while the order is not kept)."""
        order = self._oldest_first
        if order is None:
            return
        key = listing_key(memory)
        if not order or key < listing_key(self._memories[order[-1]]):
            order.append(memory.id)
        else:
            order.insert(self._position(key), memory.id)

    def removed(self, memory: Memory) -> None:
        """Let go of a memory about to be removed (call it while `memories` still holds it)."""
        order = self._oldest_first
        if order is None:
            return
        position = self._position(listing_key(memory))
        if position < len(order) and order[position] == memory.id:
            del order[position]
        else:  # cannot happen while every change comes through here; never keep a wrong order
            self._oldest_first = None

    def reset(self) -> None:
        """Forget the order (a bulk load would otherwise insert one memory at a time)."""
        self._oldest_first = None

    def _position(self, key: tuple[float, str]) -> int:
        """Where `key` goes among the kept ids: after every id that lists after it."""
        order, memories = self._oldest_first or [], self._memories
        low, high = 0, len(order)
        while low < high:
            middle = (low + high) // 2
            if listing_key(memories[order[middle]]) > key:
                low = middle + 1
            else:
                high = middle
        return low
