"""Tests for the seeded demo data set: it must be repeatable, varied and coherent."""

from __future__ import annotations

import re
import string
from collections import Counter
from datetime import date, datetime, timezone

import pytest

from mock_server.engine.demo import (
    AGENT_FACTS_PER_AGENT,
    AGENT_PROFILES,
    APP_FACTS_PER_APP,
    APP_TEMPLATES,
    CATEGORIES,
    DEFAULT_NOW,
    EXCLUSIVE_GROUPS,
    QUICK_START,
    TEMPLATES,
    DemoMemory,
    generate_bulk,
    generate_demo,
)

DEFAULT_CATEGORIES = {
    "personal_details", "family", "professional_details", "sports", "travel", "food", "music",
    "health", "technology", "hobbies", "fashion", "entertainment", "milestones",
    "user_preferences", "misc",
}
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _pattern(template: str) -> re.Pattern[str]:
    """A regex matching any filling of `template` (placeholders become `.+`)."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field:
            parts.append(".+")
    return re.compile("^" + "".join(parts) + "$")


USER_PATTERNS = [(cat, t, _pattern(t)) for cat, t in TEMPLATES]
OTHER_PATTERNS = [(cat, _pattern(t)) for cat, t in APP_TEMPLATES] + [
    (cat, _pattern(text)) for _, _, facts in AGENT_PROFILES for cat, text in facts
]


def _literal_length(template: str) -> int:
    return sum(len(lit) for lit, _, _, _ in string.Formatter().parse(template))


def _user_templates(text: str) -> list[str]:
    """The most specific template producing `text` ("Has a daughter named X" also fits
    "Has a {pet} named {pet_name}"), as a 0/1-item list."""
    matches = [t for _, t, p in USER_PATTERNS if p.match(text)]
    return sorted(matches, key=_literal_length, reverse=True)[:1]


def _category(text: str) -> str | None:
    for cat, _, p in USER_PATTERNS:
        if p.match(text):
            return cat
    for cat, p in OTHER_PATTERNS:
        if p.match(text):
            return cat
    return None


@pytest.fixture(scope="module")
def demo() -> list[DemoMemory]:
    return generate_demo()


def test_demo_is_deterministic(demo):
    assert generate_demo() == demo
    assert repr(generate_demo()) == repr(demo)


def test_different_seeds_differ(demo):
    assert generate_demo(seed=43) != demo
    assert [m.text for m in generate_demo(seed=43)] != [m.text for m in demo]


def test_demo_counts(demo):
    expected = 30 * 12 + 6 * AGENT_FACTS_PER_AGENT + 3 * APP_FACTS_PER_APP
    assert len(demo) == expected
    per_user = Counter(m.user_id for m in demo if m.user_id)
    assert len(per_user) == 30
    assert set(per_user.values()) == {12}
    small = generate_demo(users=5, memories_per_user=4, agents=2, apps=1, runs_per_user=1)
    assert len(small) == 5 * 4 + 2 * AGENT_FACTS_PER_AGENT + 1 * APP_FACTS_PER_APP


def test_empty_and_large_parameters():
    assert generate_demo(users=0, agents=0, apps=0) == []
    many = generate_demo(users=2, memories_per_user=len(TEMPLATES) + 20, agents=0, apps=0)
    assert len(many) == 2 * (len(TEMPLATES) + 20)


def test_templates_cover_every_default_category():
    assert set(CATEGORIES) == DEFAULT_CATEGORIES
    assert {cat for cat, _ in TEMPLATES} == DEFAULT_CATEGORIES
    assert len(TEMPLATES) >= 60
    assert len({t for _, t in TEMPLATES}) == len(TEMPLATES)
    for group in EXCLUSIVE_GROUPS:
        for member in group:
            assert member in {t for _, t in TEMPLATES}


def test_every_memory_comes_from_a_template_and_all_categories_appear(demo):
    cats = Counter()
    for m in demo:
        cat = _category(m.text)
        assert cat is not None, m.text
        cats[cat] += 1
    assert set(cats) == DEFAULT_CATEGORIES


def test_no_placeholder_left(demo):
    for m in demo:
        assert "{" not in m.text and "}" not in m.text
        assert m.text == m.text.strip() and m.text


def test_alex_quick_start(demo):
    alex = [m for m in demo if m.user_id == "alex"]
    texts = [m.text for m in alex]
    for fact in QUICK_START:
        assert fact in texts
    assert len(alex) > len(QUICK_START)
    for m in alex:
        if m.text in QUICK_START:
            assert m.agent_id is None and m.run_id is None and m.app_id is None
            assert m.expiration_date is None
    # alex stays present for other seeds and sizes too
    for kwargs in ({"seed": 1}, {"seed": 99, "users": 1, "memories_per_user": 2}):
        texts = {m.text for m in generate_demo(**kwargs) if m.user_id == "alex"}
        assert set(QUICK_START) <= texts


def test_users_are_coherent(demo):
    by_user: dict[str, list[str]] = {}
    for m in demo:
        if m.user_id:
            by_user.setdefault(m.user_id, []).append(m.text)
    for uid, texts in by_user.items():
        held = [t for text in texts for t in _user_templates(text)]
        for group in EXCLUSIVE_GROUPS:
            assert len({t for t in held if t in group}) <= 1, (uid, group, texts)
    alex = by_user["alex"]
    assert not any(t.startswith("Loves steak") for t in alex)
    assert "Is vegan" not in alex


def test_created_at_aware_and_not_after_now(demo):
    for m in demo:
        assert m.created_at.tzinfo is not None
        assert m.created_at.utcoffset().total_seconds() == 0
        assert m.created_at <= DEFAULT_NOW
    oldest = min(m.created_at for m in demo)
    assert (DEFAULT_NOW - oldest).days > 300  # spread over many months
    custom_now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert all(m.created_at <= custom_now for m in generate_demo(now=custom_now))


def test_other_attributes_vary(demo):
    dates = [m.expiration_date for m in demo if m.expiration_date]
    assert dates
    for d in dates:
        date.fromisoformat(d)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)
    assert any(d < DEFAULT_NOW.date().isoformat() for d in dates)
    assert any(d > DEFAULT_NOW.date().isoformat() for d in dates)
    assert any(m.immutable for m in demo)
    assert sum(m.immutable for m in demo) < len(demo) / 5
    metas = [m.metadata for m in demo if m.metadata is not None]
    assert metas and len(metas) < len(demo)
    assert all(isinstance(md, dict) and "source" in md for md in metas)


def test_scope_variety(demo):
    def kind(m: DemoMemory) -> tuple[bool, bool, bool, bool]:
        return (m.user_id is not None, m.agent_id is not None, m.app_id is not None,
                m.run_id is not None)

    kinds = Counter(kind(m) for m in demo)
    user_only = kinds[(True, False, False, False)]
    assert user_only > len(demo) / 2
    assert kinds[(True, True, False, False)] > 0
    assert kinds[(True, False, False, True)] > 0
    assert kinds[(False, True, False, False)] > 0
    assert sum(n for k, n in kinds.items() if k[2]) > 0
    assert all(any(k) for k in kinds)


def test_ids_well_formed(demo):
    for m in demo:
        for value in (m.user_id, m.agent_id, m.app_id, m.run_id):
            if value is not None:
                assert value and " " not in value
                assert ID_RE.match(value), value
    users = {m.user_id for m in demo if m.user_id}
    assert "alex" in users
    agents = {m.agent_id for m in demo if m.agent_id}
    assert agents <= {p[0] for p in AGENT_PROFILES}
    assert "travel-agent" in agents
    assert {m.app_id for m in demo if m.app_id} <= {"web-app", "mobile-app", "slack-bot"}
    for m in demo:
        if m.run_id:
            assert m.user_id is not None
            assert re.fullmatch(rf"run-{re.escape(m.user_id)}-[12]", m.run_id)


def test_many_agents_and_apps_get_unique_ids():
    data = generate_demo(users=2, agents=20, apps=10)
    assert len({m.agent_id for m in data if m.agent_id and not m.user_id}) == 20
    assert len({m.app_id for m in data if m.app_id and not m.user_id}) == 10


def test_bulk_count_and_distribution():
    items = list(generate_bulk(1000, 7))
    assert len(items) == 1000
    ids = [m.user_id for m in items]
    assert ids[:7] == ids[7:14]  # round-robin
    assert len(set(ids)) == 7
    assert sorted(Counter(ids).values()) == [142] + [143] * 6
    for m in items:
        assert m.text and "{" not in m.text
        assert _user_templates(m.text), m.text
        assert m.created_at.tzinfo is not None and m.created_at <= DEFAULT_NOW
        assert ID_RE.match(m.user_id)
    assert any(m.agent_id for m in items) and any(m.run_id for m in items)


def test_bulk_deterministic_and_seeded():
    a = list(generate_bulk(500, 20))
    assert a == list(generate_bulk(500, 20))
    assert a != list(generate_bulk(500, 20, seed=8))
    assert list(generate_bulk(0, 5)) == []


def test_bulk_user_ids_unique_for_many_users():
    items = list(generate_bulk(3000, 3000))
    assert len({m.user_id for m in items}) == 3000


def test_bulk_rejects_no_users():
    with pytest.raises(ValueError):
        generate_bulk(10, 0)
