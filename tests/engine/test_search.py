"""The default scorer: IDF-weighted coverage, variants and related stems, categories as a
tie-breaker, calibration, and the indexed path equal to the reference one."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.engine.categories import DEFAULT_CATEGORIES, categorize
from mock_server.engine.search import CATEGORY_WEIGHT, RELATED_CREDIT, SearchIndex, explain, similarity
from mock_server.engine.text import content_terms, neighbours, stem


def index_of(*texts: str) -> SearchIndex:
    index = SearchIndex()
    for n, text in enumerate(texts):
        index.add(f"m{n}", text, categorize(text))
    return index


def test_a_name_in_every_memory_weighs_less_than_a_rare_word():
    index = index_of(
        "Thanks, Melanie! Is this your own painting?",
        "Melanie, we're going camping at the lake next month",
        "Melanie said the painting class was fun",
        "Melanie loves her new painting",
    )
    scores = index.scores("When is Melanie planning on going camping?")
    assert max(scores, key=scores.__getitem__) == "m1"
    assert scores["m1"] > 2 * scores["m0"]


def test_a_shared_category_alone_is_no_evidence():
    assert similarity("What are my hobbies?", "Zorbles the quux", ["hobbies"]) == 0.0
    index = SearchIndex()
    index.add("a", "Zorbles the quux", ["hobbies"])
    assert index.scores("What are my hobbies?") == {}


def test_categories_break_ties_and_add_at_most_their_weight():
    plain = similarity("tennis on Sundays", "Plays tennis", [])
    tied = similarity("tennis on Sundays", "Plays tennis", ["sports"])
    assert 0.0 < tied - plain <= CATEGORY_WEIGHT + 1e-12


@pytest.mark.parametrize(("a", "b"), [("sleep", "asleep"), ("ran", "running"), ("swim", "swimming"),
                                      ("children", "child"), ("café", "cafe"), ("coaching", "coach")])
def test_morphological_variants_share_a_stem(a, b):
    assert stem(a) == stem(b)
    assert similarity(a, f"Fell {b} quickly") > 0.5


@pytest.mark.parametrize(("general", "specific"), [("animal", "dog"), ("boat", "sailing"), ("tokyo", "japan"),
                                                   ("spring", "april"), ("instrument", "cello")])
def test_hypernyms_relate_general_and_specific_terms(general, specific):
    assert stem(specific) in neighbours(stem(general))
    assert stem(general) in neighbours(stem(specific))


def test_hyponyms_of_one_head_are_not_related_to_each_other():
    assert stem("cat") not in neighbours(stem("dog"))


def test_a_related_stem_counts_less_than_the_stem_itself():
    exact = similarity("dog", "Has a dog")
    related = similarity("dog", "Has a puppy")
    assert exact == 1.0
    assert related == pytest.approx(RELATED_CREDIT**0.5)
    assert 0.3 < related < exact


def test_calibration_keeps_partial_matches_above_the_v2_threshold():
    # One word of four covered (equal weights without a corpus): sqrt(0.25) = 0.5.
    assert similarity("sailing lake weekend trip", "Went sailing") == pytest.approx(0.5)
    long_query = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron"
    assert similarity(long_query, "omicron") < 0.3  # a twelfth of a long query is not enough


def test_explain_parts_sum_to_the_score():
    index = index_of("Has a puppy named Rex", "Likes hiking", "Plays tennis with Rex")
    for text in ("Has a puppy named Rex", "Plays tennis with Rex"):
        parts = explain("dog Rex", text, categorize(text), corpus=index)
        assert sum(parts.values()) == pytest.approx(similarity("dog Rex", text, categorize(text), corpus=index))
        assert parts["bm25"] > 0
    puppy = explain("dog Rex", "Has a puppy named Rex", categorize("Has a puppy named Rex"), corpus=index)
    assert puppy["semantic"] > 0


def test_scores_depend_on_what_else_is_stored_and_repeat_for_the_same_data():
    texts = ["Likes tea", "Likes coffee", "Drinks tea every morning"]
    first = index_of(*texts).scores("tea in the morning")
    assert first == index_of(*texts).scores("tea in the morning")
    assert first["m2"] == 1.0  # covers the whole query, whatever the weights
    bigger = index_of(*texts, *[f"Had tea with friend {n}" for n in range(20)])
    assert bigger.scores("tea in the morning")["m0"] < first["m0"]  # "tea" is now common, so worth less


_VOCABULARY = """dog puppy cat animal tea coffee morning sail boat lake japan tokyo april spring run ran
running melanie camping painting hobby chess music guitar nurse work the a is my"""
_WORDS = st.sampled_from(_VOCABULARY.split())
_TEXTS = st.lists(_WORDS, min_size=0, max_size=8).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS, st.lists(st.tuples(_TEXTS, st.lists(st.sampled_from(sorted(DEFAULT_CATEGORIES)), max_size=3)),
                        min_size=1, max_size=12),
       st.sets(st.integers(0, 11)), st.booleans())
def test_indexed_scores_equal_the_reference_exactly(query, memories, chosen, keyword):
    index = SearchIndex()
    for n, (text, categories) in enumerate(memories):
        index.add(str(n), text, categories)
    candidates = {str(n) for n in chosen if n < len(memories)}
    for restrict in (None, candidates, dict.fromkeys(candidates).keys()):
        scores = index.scores(query, restrict, keyword_search=keyword)
        for n, (text, categories) in enumerate(memories):
            mid = str(n)
            reference = similarity(query, text, categories, corpus=index, keyword_search=keyword)
            assert reference == index.similarity(query, mid, keyword_search=keyword)
            expected = reference if reference > 0 and (restrict is None or mid in restrict) else None
            assert scores.get(mid) == expected, (query, text)



@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS, st.lists(st.tuples(_TEXTS, st.lists(st.sampled_from(sorted(DEFAULT_CATEGORIES)), max_size=3)),
                        min_size=1, max_size=12),
       st.sets(st.integers(0, 11)), st.booleans())
def test_the_ranking_is_the_reference_scores_grouped_best_first(query, memories, chosen, keyword):
    """Formed lazily, the ranking still gives every score once (groups of one score from
    different match patterns merged), best first, each with exactly its memories."""
    index = SearchIndex()
    for n, (text, categories) in enumerate(memories):
        index.add(str(n), text, categories)
    candidates = {str(n) for n in chosen if n < len(memories)}
    for restrict in (None, candidates, dict.fromkeys(candidates).keys()):
        expected: dict[float, set[str]] = {}
        for n, (text, categories) in enumerate(memories):
            score = similarity(query, text, categories, corpus=index, keyword_search=keyword)
            if score > 0 and (restrict is None or str(n) in restrict):
                expected.setdefault(score, set()).add(str(n))
        ranking = index.ranking(query, restrict, keyword_search=keyword)
        formed = [(score, set(members)) for score, members in ranking]
        assert formed == sorted(expected.items(), reverse=True)
        assert [(score, set(members)) for score, members in ranking] == formed  # read again: the same


_CATEGORY_LISTS = st.lists(st.sampled_from(sorted(DEFAULT_CATEGORIES)), max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS, st.lists(st.tuples(_TEXTS, _CATEGORY_LISTS, _CATEGORY_LISTS, st.sampled_from(["keep", "drop", "edit"])),
                        min_size=1, max_size=12))
def test_the_ranking_stays_exact_after_memories_go_or_change(query, memories):
    """What a stem's memories could share with a query is a bound kept as memories come and
    go (never narrowed): scores and breakdowns stay the reference's after removals and
    re-adds with other categories."""
    index = SearchIndex()
    for n, (text, categories, _, _) in enumerate(memories):
        index.add(str(n), text, categories)
    now: dict[str, tuple[str, list[str]]] = {}
    for n, (text, categories, others, fate) in enumerate(memories):
        if fate == "drop":
            index.remove(str(n))
        elif fate == "edit":
            index.add(str(n), text, others)
            now[str(n)] = (text, others)
        else:
            now[str(n)] = (text, categories)
    expected: dict[float, set[str]] = {}
    for mid, (text, categories) in now.items():
        score = similarity(query, text, categories, corpus=index)
        if score > 0:
            expected.setdefault(score, set()).add(mid)
    ranking = index.ranking(query, explained=True)
    assert [(score, set(members)) for score, members in ranking] == sorted(expected.items(), reverse=True)
    for score, members in ranking:
        for mid in members:
            text, categories = now[mid]
            assert ranking.breakdown(mid, score) == explain(query, text, categories, corpus=index)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS, st.lists(st.tuples(_TEXTS, st.lists(st.sampled_from(sorted(DEFAULT_CATEGORIES)), max_size=3)),
                        min_size=1, max_size=12),
       st.sets(st.integers(0, 11)))
def test_the_ranking_explains_each_memory_as_explain_does(query, memories, chosen):
    """The breakdowns a ranking carries are `explain`'s, to the float, for every member
    (a ranking scored memory by memory, for a few candidates, carries none)."""
    index = SearchIndex()
    for n, (text, categories) in enumerate(memories):
        index.add(str(n), text, categories)
    candidates = {str(n) for n in chosen if n < len(memories)}
    for restrict in (None, candidates):
        ranking = index.ranking(query, restrict, explained=True)
        for score, members in ranking:
            for mid in members:
                text, categories = memories[int(mid)]
                carried = ranking.breakdown(mid, score)
                if carried is not None or restrict is None:  # the whole index: always grouped
                    assert carried == explain(query, text, categories, corpus=index), (query, text)
    keyword = index.ranking(query, None, keyword_search=True, explained=True)
    assert all(keyword.breakdown(mid, score) is None for score, members in keyword for mid in members)


def test_a_ranking_read_in_part_splits_only_what_it_read(monkeypatch):
    """Groups that cannot reach the part read are never split by category, and a group
    whose members all have every category it can have is never split fully."""
    index = SearchIndex()
    for n in range(20):
        index.add(f"hike{n}", "Loves hiking in the mountains", ["travel", "sports"])
        index.add(f"walk{n}", "Went for a walk", ["sports"])  # related to hiking only: a lower group
    for n in range(10):
        index.add(f"trek{n}", "Trekking in the mountains", ["travel", "sports"] if n % 2 else ["travel"])
    peeled: list[int] = []
    splits: list[int] = []
    peel, split = SearchIndex._with_all, SearchIndex._by_shared_categories

    def counted_peel(self: SearchIndex, members: set[str], categories: frozenset[str]) -> set[str]:
        peeled.append(len(members))
        return peel(self, members, categories)

    def counted_split(self: SearchIndex, members: set[str], categories: frozenset[str]) -> dict[int, set[str]]:
        splits.append(len(members))
        return split(self, members, categories)

    monkeypatch.setattr(SearchIndex, "_with_all", counted_peel)
    monkeypatch.setattr(SearchIndex, "_by_shared_categories", counted_split)
    ranking = index.ranking("hiking trips")
    first_score, first = next(iter(ranking))
    assert set(first) == {f"hike{n}" for n in range(20)} and peeled == [20] and splits == []
    groups = [set(members) for _, members in ranking]
    odd, even = {f"trek{n}" for n in range(1, 10, 2)}, {f"trek{n}" for n in range(0, 10, 2)}
    assert groups[1:] == [odd, even | {f"walk{n}" for n in range(20)}]  # one category each: one score
    # treks and walks are one pattern (a stem related to hiking): peeled, then the rest split
    assert peeled == [20, 30] and splits == [25]


def test_content_terms_fold_accents_and_join_irregular_forms():
    assert content_terms("Tomás ran to the café") == ["toma", "run", "cafe"]
