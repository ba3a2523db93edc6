"""Ranking metrics over the labelled answers: recall@k, hit@k, MRR@k, empty answers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

K = 10


@dataclass(frozen=True)
class Judged:
    """One question's answer as judged: what was found of its evidence, and where."""

    question_id: str
    type: str
    collection: str
    kind: str
    found: int  # evidence items in the top k
    wanted: int  # evidence items listed
    first_rank: int | None  # 1-based rank of the first relevant answer in the top k
    answered: int  # results returned (0: an empty answer)


def judge(
    question_id: str, type_: str, collection: str, kind: str,
    ranked: Sequence[Iterable[str]], relevant: Sequence[str], k: int = K,
) -> Judged:
    """`ranked[i]` is the set of evidence ids the i-th result stands for.

    Verbatim memories stand for one doc; an inferred memory for the turns it came from.
    An evidence item counts once however many results stand for it.
    """
    wanted = set(relevant)
    found: set[str] = set()
    first = None
    for rank, sources in enumerate(ranked[:k], start=1):
        hit = wanted.intersection(sources)
        if hit and first is None:
            first = rank
        found |= hit
    return Judged(question_id, type_, collection, kind, len(found), len(wanted), first, len(ranked))


@dataclass
class Summary:
    questions: int = 0
    recall: float = 0.0  # mean share of each question's evidence in the top k
    hit: float = 0.0  # share of questions with any evidence in the top k
    mrr: float = 0.0  # mean reciprocal rank of the first relevant answer (0 when none in the top k)
    empty: float = 0.0  # share of questions answered with nothing
    ids: list[str] = field(default_factory=list)


def summarise(judged: Iterable[Judged]) -> Summary:
    rows = list(judged)
    if not rows:
        return Summary()
    n = len(rows)
    return Summary(
        questions=n,
        recall=sum(r.found / r.wanted for r in rows) / n,
        hit=sum(1 for r in rows if r.found) / n,
        mrr=sum(1 / r.first_rank for r in rows if r.first_rank) / n,
        empty=sum(1 for r in rows if r.answered == 0) / n,
        ids=[r.question_id for r in rows],
    )
