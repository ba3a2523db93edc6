"""A deterministic summary of memories: what the summary endpoint answers.

The real service writes prose with an LLM; the mock groups the memories by category, in
the catalogue's order, and joins their texts, so the same memories give the same summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .categories import DEFAULT_CATEGORIES
from .models import Memory

MAX_PER_CATEGORY = 10


@dataclass(frozen=True)
class Summary:
    text: str
    memory_count: int
    categories: dict[str, int]  # category -> how many memories it has


def _label(category: str) -> str:
    return category.replace("_", " ").capitalize()


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] if text else text


def summarize(memories: Sequence[Memory]) -> Summary:
    """One paragraph per category: "Food: Is a vegetarian; is allergic to nuts." (oldest first)."""
    by_category: dict[str, list[str]] = {}
    for memory in sorted(memories, key=lambda m: (m.created_at, m.id)):
        category = memory.categories[0] if memory.categories else "misc"
        by_category.setdefault(category, []).append(memory.memory)
    order = {name: i for i, name in enumerate(DEFAULT_CATEGORIES)}
    ranked = sorted(by_category, key=lambda c: (order.get(c, len(order)), c))
    lines = []
    for category in ranked:
        texts = [_sentence(t) for t in by_category[category][:MAX_PER_CATEGORY]]
        more = len(by_category[category]) - len(texts)
        tail = f" (and {more} more)" if more > 0 else ""
        lines.append(f"{_label(category)}: {'; '.join(texts)}.{tail}")
    text = "\n".join(lines) if lines else "No memories match these filters."
    return Summary(text, len(memories), {c: len(by_category[c]) for c in ranked})
