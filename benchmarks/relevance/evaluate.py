"""Ask every question of a system and judge its answers against the labels."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .data import Collection
from .metrics import Judged, judge

Search = Callable[[Collection, str], list[frozenset[str]]]


def judge_all(collections: Sequence[Collection], search: Search) -> list[Judged]:
    """One judgement per question, in data order."""
    judged = []
    for collection in collections:
        for q in collection.questions:
            ranked = search(collection, q.query)
            judged.append(judge(q.id, q.type, collection.id, collection.kind, ranked, q.relevant))
    return judged


def answered_negatives(collections: Sequence[Collection], search: Search) -> tuple[int, int]:
    """(negative queries answered with something, negative queries asked)."""
    asked = answered = 0
    for collection in collections:
        for query in collection.negatives:
            asked += 1
            answered += bool(search(collection, query))
    return answered, asked
