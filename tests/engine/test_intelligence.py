"""The mock's deterministic "intelligence": text, categories, inference, search, exports.

These modules are pure functions over plain values, so they are tested directly (no app).
"""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.engine.categories import DEFAULT_CATEGORIES, categorize, query_categories
from mock_server.engine.exports import build_export
from mock_server.engine.inference import Decision, Fact, extract_facts, reconcile, subject_of
from mock_server.engine.search import SearchIndex, rerank, similarity
from mock_server.engine.text import (
    STOPWORDS,
    content_terms,
    expand,
    extract_keywords,
    related,
    stem,
    tokenize,
)

QUICK_START = "Hi, I'm Alex. I'm a vegetarian and I'm allergic to nuts."
QUICK_QUERY = "What can I cook for dinner tonight?"
THRESHOLD = 0.3


def user(*contents: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": c} for c in contents]


def facts_of(*contents: str, **options) -> list[str]:
    return [f.text for f in extract_facts(user(*contents), **options)]


def index_of(*texts: str) -> tuple[SearchIndex, dict[str, str]]:
    index = SearchIndex()
    ids = {}
    for n, text in enumerate(texts):
        ids[text] = f"m{n}"
        index.add(f"m{n}", text, categorize(text))
    return index, ids


# --- text ---------------------------------------------------------------------------------


def test_tokenize_lowercases_and_handles_apostrophes():
    assert tokenize("Hi, I'm Alex! Alice’s café") == ["hi", "i'm", "alex", "alice", "café"]


def test_stem_is_snowball_and_unifies_spellings():
    assert stem("cooking") == stem("cooks") == "cook"
    assert stem("favorite") == stem("favourite")
    assert stem("color") == stem("colour")


def test_content_terms_drop_stopwords_and_contractions():
    assert content_terms("I'm allergic to nuts and I don't eat them") == ["allerg", "nut", "eat"]
    assert "the" in STOPWORDS and "i'm" in STOPWORDS


def test_extract_keywords_are_unstemmed_distinct_ordered():
    assert extract_keywords("Loves hiking, hiking boots and the Alps") == ("loves", "hiking", "boots", "alps")
    assert extract_keywords("a b cd efg") == ("efg",)
    assert len(extract_keywords(" ".join(f"word{i}" for i in range(30)), limit=5)) == 5


def test_expand_weights_originals_over_related_terms():
    weights = expand([stem("cook")])
    assert weights[stem("cook")] == 1.0
    assert weights[stem("recipe")] == 0.5
    assert stem("film") in related(stem("movie"))
    assert expand(["zzzunknown"]) == {"zzzunknown": 1.0}


# --- categories ---------------------------------------------------------------------------


def test_default_catalogue_has_the_fifteen_platform_categories():
    assert list(DEFAULT_CATEGORIES) == [
        "personal_details", "family", "professional_details", "sports", "travel", "food", "music",
        "health", "technology", "hobbies", "fashion", "entertainment", "milestones",
        "user_preferences", "misc",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Is a vegetarian", {"food"}),
        ("Is allergic to nuts", {"health", "food"}),
        ("Name is Alex", {"personal_details"}),
        ("Works as a data scientist at Acme", {"professional_details"}),
        ("Plays tennis on weekends", {"sports"}),
        ("Loves films by Nolan", {"entertainment"}),
        ("Has a dog named Max", {"family"}),
    ],
)
def test_categorize_default(text, expected):
    assert expected <= set(categorize(text))


def test_categorize_falls_back_to_misc():
    assert categorize("Zorbles the quux") == ("misc",)


def test_categorize_custom_catalogue_by_overlap():
    catalogue = {
        "dietary": "Food restrictions and diet",
        "medical": "Health conditions and medical information",
        "pets": "Animals the user owns",
    }
    assert categorize("Is a vegetarian", catalogue)[0] == "dietary"
    assert "medical" in categorize("Is allergic to nuts", catalogue)
    assert categorize("Has a dog named Max", catalogue) == ("pets",)
    assert categorize("Zorbles the quux", catalogue) == ("dietary",)  # first name when nothing fits


def test_query_categories():
    assert "food" in query_categories(QUICK_QUERY)
    assert "hobbies" in query_categories("What are Alice's hobbies?")
    assert query_categories("zorbles?") == []


# --- inference: extraction ------------------------------------------------------------------


def test_quick_start_extraction():
    facts = extract_facts(user(QUICK_START) + [{"role": "assistant", "content": "I love steak."}])
    assert facts == [
        Fact("Name is Alex", "name"),
        Fact("Is a vegetarian", "diet"),
        Fact("Is allergic to nuts", "allergy:nut"),
    ]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("My name is sam.", ["Name is Sam"]),
        ("Call me Jo", ["Name is Jo"]),
        ("I live in Paris", ["Lives in Paris"]),
        ("I moved to Berlin last year", ["Lives in Berlin"]),
        ("I work as a data scientist at Acme", ["Works as a data scientist at Acme"]),
        ("I work at Google", ["Works at Google"]),
        ("I'm a teacher", ["Works as a teacher"]),
        ("I like hiking, chess and jazz", ["Likes hiking", "Likes chess", "Likes jazz"]),
        ("I love mac and cheese", ["Loves mac and cheese"]),
        ("I enjoy long walks", ["Enjoys long walks"]),
        ("I prefer tea over coffee", ["Prefers tea over coffee"]),
        ("I hate running", ["Hates running"]),
        ("I don't like cilantro", ["Dislikes cilantro"]),
        ("I'm allergic to peanuts and shellfish", ["Is allergic to peanuts", "Is allergic to shellfish"]),
        ("I have a peanut allergy", ["Is allergic to peanut"]),
        ("I'm lactose intolerant", ["Is lactose intolerant"]),
        ("I have a dog named Max", ["Has a dog named Max"]),
        ("My dog's name is Rex", ["Has a dog named Rex"]),
        ("I have two kids, Tom and Ann", ["Has two kids, Tom and Ann"]),
        ("My favourite color is blue", ["Favourite color is blue"]),
        ("My favorite movie is Inception", ["Favourite movie is Inception"]),
        ("My birthday is on 12 March", ["Birthday is on 12 March"]),
        ("I'm 30 years old", ["Is 30 years old"]),
        ("I'm from Spain", ["Is from Spain"]),
        ("I'm married to Sarah", ["Is married to Sarah"]),
        ("I speak Spanish and French", ["Speaks Spanish", "Speaks French"]),
        ("I play tennis on weekends", ["Plays tennis on weekends"]),
        ("I don't eat meat", ["Does not eat meat"]),
        ("I'd love to visit Japan", ["Wants to visit Japan"]),
        ("I'm a big fan of Nolan films", ["Is a big fan of Nolan films"]),
        ("I went to Rome last summer", ["Went to Rome last summer"]),
        ("I usually stay in hostels", ["Usually stays in hostels"]),
        ("I've been to Japan twice", ["Has been to Japan twice"]),
        ("My wife and I went to Rome", ["Went to Rome with their wife"]),
        ("I think I'm allergic to cats", ["Is allergic to cats"]),
        ("I'm Alex, a software engineer from Berlin",
         ["Name is Alex", "Works as a software engineer", "Is from Berlin"]),
        ("Hi! I'm Sam, 25, from Toronto.", ["Name is Sam", "Is 25 years old", "Is from Toronto"]),
        ("I'm married with two kids", ["Is married", "Has two kids"]),
        ("Could you remember that I'm vegan?", ["Is a vegan"]),
        ("I've got a new job as a nurse at the city hospital", ["Works as a nurse at the city hospital"]),
    ],
)
def test_extraction_patterns(message, expected):
    assert facts_of(message) == expected


@pytest.mark.parametrize(
    "message",
    [QUICK_QUERY, "Can you recommend a restaurant?", "Hello!", "Thanks, that's great", "I need a recipe",
     "I'm tired", "Tell me a joke", "", "   ", "?!"],
)
def test_questions_greetings_and_requests_give_nothing(message):
    assert extract_facts(user(message)) == []


@pytest.mark.parametrize(
    ("message", "retracted", "subject"),
    [
        ("I'm no longer a vegetarian", "Is a vegetarian", "diet"),
        ("I don't live in Paris anymore", "Lives in Paris", "residence"),
        ("I no longer like hiking", "Likes hiking", "likes:hike"),
        ("I stopped playing tennis", "Plays tennis", "plays:tenni"),
        ("Please forget that I have a dog", "Has a dog", "pet:dog"),
        ("I'm not allergic to nuts anymore", "Is allergic to nuts", "allergy:nut"),
        ("I don't have a car anymore", "Has a car", "has:car"),
    ],
)
def test_retractions(message, retracted, subject):
    assert extract_facts(user(message)) == [Fact(retracted, subject, True)]


def test_forget_my_name_retracts_the_name():
    [fact] = extract_facts(user("Forget my name"))
    assert fact.retraction and fact.subject == "name"


def test_only_user_messages_are_read():
    messages = [
        {"role": "system", "content": "I am a helpful assistant."},
        {"role": "assistant", "content": "I live in the cloud."},
        {"role": "user", "content": "I live in Oslo."},
        {"role": "user"},
        "not a message",
    ]
    assert [f.text for f in extract_facts(messages)] == ["Lives in Oslo"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Sofi just turned six last week, we threw a unicorn party.",
         ["Sofi just turned six last week, we threw a unicorn party"]),
        ("Big news. The wedding is in Pune in December!", ["The wedding is in Pune in December"]),
        ("Yep, still in the ER at Northwestern. They're moving me to nights next month.",
         ["Still in the ER at Northwestern", "They are moving them to nights next month"]),
        ("My neighbor walks him when I'm on shift.", ["Neighbor walks him when they are on shift"]),
        ("Dana and my neighbor Mrs. Kowalski came to cheer.", ["Neighbor Mrs. Kowalski came to cheer"]),
    ],
)
def test_statements_no_rule_knows_are_kept_as_said(message, expected):
    assert facts_of(message) == expected


@pytest.mark.parametrize(
    "message", ["Haha, amazing!", "So proud of you!", "You're so talented.", "Congrats on the new job!",
                "Where did you go?", "Please send me the recipe.", "Good luck tomorrow"],
)
def test_remarks_questions_and_requests_are_not_statements(message):
    assert facts_of(message) == []


def test_assistant_statements_are_read_only_when_asked():
    messages = [
        {"role": "user", "content": "I live in Oslo."},
        {"role": "assistant", "content": "My sister Ana is getting married in Lisbon in June."},
        {"role": "system", "content": "The user is called Kari."},
    ]
    assert [f.text for f in extract_facts(messages)] == ["Lives in Oslo"]
    assert [f.text for f in extract_facts(messages, roles=("user", "assistant"))] == [
        "Lives in Oslo", "Sister Ana is getting married in Lisbon in June",
    ]


def test_a_later_fact_about_a_subject_wins_and_nothing_repeats():
    facts = facts_of("I live in Paris. I like chess.", "Actually I moved to Rome. I like chess.")
    assert facts == ["Lives in Rome", "Likes chess"]


def test_includes_and_excludes():
    message = "I'm a vegetarian, I love Italian food, my name is Alex. I work at Google. I play tennis."
    assert facts_of(message, includes="food preferences") == ["Is a vegetarian", "Loves Italian food"]
    assert facts_of(message, excludes="food") == ["Name is Alex", "Works at Google", "Plays tennis"]
    assert facts_of(message, includes="sports") == ["Plays tennis"]


def test_custom_instructions_only_and_never():
    message = "I'm a vegetarian. My name is Alex. I work at Google. I play tennis."
    kept = facts_of(message, custom_instructions="Only remember sports and work. Do not store names.")
    assert kept == ["Works at Google", "Plays tennis"]


def test_extraction_is_deterministic():
    messages = user(QUICK_START, "I like hiking and chess. I moved to Berlin. I have a cat named Tom.")
    runs = [extract_facts(messages) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert len({f.subject for f in runs[0]}) == len(runs[0])


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Name is Alex", "name"),
        ("Is vegan", "diet"),
        ("Follows a pescatarian diet", "diet"),
        ("Lives in an apartment downtown", "residence"),
        ("Works as Data scientist at Acme", "job"),
        ("Favorite color is green", "favourite:colour"),
        ("Speaks Spanish fluently", "speaks:spanish"),
        ("Has a golden retriever named Biscuit", "pet:dog"),
        ("Dislikes hiking", "likes:hike"),
        ("I'm a vegetarian", "diet"),  # a verbatim (infer=false) memory
    ],
)
def test_subject_of_stored_texts(text, subject):
    assert subject_of(text) == subject


def test_generic_subjects_come_from_content_terms():
    assert subject_of("Went to Rome last summer") == subject_of("Last summer went to Rome")
    assert subject_of("Went to Rome").startswith("about:")


# --- inference: reconciliation --------------------------------------------------------------

EXISTING = [
    ("m1", "Name is Alex"),
    ("m2", "Is a vegetarian"),
    ("m3", "Is allergic to nuts"),
    ("m4", "Likes hiking"),
    ("m5", "Lives in Paris"),
]


def decide(message: str) -> list[Decision]:
    return reconcile(extract_facts(user(message)), EXISTING)


def test_same_facts_again_are_noop():
    assert decide(QUICK_START) == [
        Decision("NOOP", "Name is Alex", "m1"),
        Decision("NOOP", "Is a vegetarian", "m2"),
        Decision("NOOP", "Is allergic to nuts", "m3"),
    ]


def test_changed_values_update_and_new_subjects_add():
    assert decide("I moved to Berlin. I like chess. I'm vegan now.") == [
        Decision("UPDATE", "Lives in Berlin", "m5"),
        Decision("ADD", "Likes chess", None),
        Decision("UPDATE", "Is a vegan", "m2"),
    ]


def test_dislike_updates_the_like_of_the_same_thing():
    assert decide("I don't like hiking") == [Decision("UPDATE", "Dislikes hiking", "m4")]


def test_retractions_delete_and_retracting_nothing_does_nothing():
    assert decide("I'm no longer a vegetarian") == [Decision("DELETE", "Is a vegetarian", "m2")]
    assert decide("I no longer like hiking") == [Decision("DELETE", "Likes hiking", "m4")]
    assert decide("I don't have a cat anymore") == []
    # "I no longer like X" does not delete "Dislikes X".
    assert reconcile(extract_facts(user("I no longer like hiking")), [("x", "Dislikes hiking")]) == []


def test_reconcile_against_verbatim_memories():
    decisions = reconcile(extract_facts(user("I'm vegan")), [("v", "I'm a vegetarian")])
    assert decisions == [Decision("UPDATE", "Is a vegan", "v")]


# --- search -------------------------------------------------------------------------------


def test_quick_start_search():
    texts = [f.text for f in extract_facts(user(QUICK_START))] + ["Plays tennis on weekends"]
    index, ids = index_of(*texts)
    scores = index.scores(QUICK_QUERY, set(ids.values()))
    vegetarian, nuts = scores[ids["Is a vegetarian"]], scores[ids["Is allergic to nuts"]]
    assert vegetarian >= THRESHOLD and nuts >= THRESHOLD
    assert scores.get(ids["Name is Alex"], 0.0) < min(vegetarian, nuts)
    assert scores.get(ids["Plays tennis on weekends"], 0.0) < THRESHOLD


def test_hobbies_query_finds_hobbies():
    index, ids = index_of("Likes hiking", "Name is Alice", "Works at Acme")
    scores = index.scores("What are Alice's hobbies?")
    assert scores[ids["Likes hiking"]] >= THRESHOLD


def test_synonyms_match_beyond_shared_words():
    index, ids = index_of("Loves films by Nolan", "Is allergic to nuts")
    scores = index.scores("any good movie?")
    assert scores[ids["Loves films by Nolan"]] >= THRESHOLD
    assert scores.get(ids["Is allergic to nuts"], 0.0) < THRESHOLD
    assert similarity("supper ideas", "Enjoys cooking a big meal") > 0


def test_keyword_search_is_lexical_only():
    index, ids = index_of("Loves films by Nolan", "Watched a movie yesterday")
    assert set(index.scores("movie", keyword_search=True)) == {ids["Watched a movie yesterday"]}
    assert index.scores("cinema", keyword_search=True) == {}
    assert ids["Loves films by Nolan"] in index.scores("movie")


def test_scores_match_similarity_and_respect_candidates():
    texts = ["Is a vegetarian", "Is allergic to nuts", "Loves Italian food", "Name is Alex", "Likes hiking"]
    index, ids = index_of(*texts)
    all_scores = index.scores(QUICK_QUERY)
    for text, memory_id in ids.items():
        assert all_scores.get(memory_id, 0.0) == similarity(QUICK_QUERY, text, categorize(text), corpus=index)
    some = {ids["Is a vegetarian"], ids["Name is Alex"]}
    for candidates in (some, list(some), dict.fromkeys(some).keys()):
        assert index.scores(QUICK_QUERY, candidates) == {ids["Is a vegetarian"]: all_scores[ids["Is a vegetarian"]]}


def test_few_candidates_are_scored_directly_with_the_same_results():
    texts = ["Likes jazz", "Plays the piano", "Is a vegetarian", "Loves Italian food", "Works at Acme"] * 40
    index = SearchIndex()
    for n, text in enumerate(texts):
        index.add(str(n), text, categorize(text))
    everything = index.scores("What music does he like?", {str(n) for n in range(len(texts))})
    few = {"0", "1", "2", "7"}  # small enough for the per-candidate path
    assert index.scores("What music does he like?", few) == {k: v for k, v in everything.items() if k in few}


def test_index_add_replace_remove():
    index = SearchIndex()
    index.add("a", "Likes hiking", ["hobbies"])
    index.add("a", "Is a vegetarian", ["food"])
    assert len(index) == 1
    assert "a" not in index.scores("hiking trails")
    assert "a" in index.scores("vegetarian dishes")
    index.remove("a")
    index.remove("a")
    assert len(index) == 0 and index.scores("vegetarian") == {}


def test_identical_text_scores_one():
    assert similarity("Likes hiking", "Likes hiking", categorize("Likes hiking")) == pytest.approx(1.0)
    assert similarity("", "Likes hiking") == 0.0


def test_rerank_orders_by_coverage_and_keeps_bounds():
    results = [("a", "Enjoys outdoor activities", 0.5), ("b", "Likes hiking in the Alps", 0.5), ("c", "x", 0.9)]
    reranked = rerank("hiking in the Alps", results)
    assert [memory_id for memory_id, _ in reranked] == ["c", "b", "a"]
    assert all(0.0 <= score <= 1.0 for _, score in reranked)
    assert dict(reranked)["b"] > 0.5 and dict(reranked)["a"] == 0.5
    assert rerank("anything", []) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80), st.lists(st.text(max_size=60), min_size=1, max_size=6),
       st.lists(st.sampled_from([*DEFAULT_CATEGORIES, "custom"]), max_size=3))
def test_scores_always_in_unit_interval(query, texts, categories):
    index = SearchIndex()
    for n, text in enumerate(texts):
        index.add(str(n), text, categories)
    for keyword in (False, True):
        for score in index.scores(query, keyword_search=keyword).values():
            assert 0.0 < score <= 1.0
    for text in texts:
        assert 0.0 <= similarity(query, text, categories) <= 1.0
    for _, score in rerank(query, [(str(n), t, 0.5) for n, t in enumerate(texts)]):
        assert 0.5 <= score <= 1.0


# --- exports ------------------------------------------------------------------------------

MEMORIES = [
    {"id": f"id{n}", "memory": text, "categories": list(categorize(text)), "metadata": None,
     "created_at": "2025-01-01T00:00:00Z"}
    for n, text in enumerate([
        "Name is Alex", "Is a vegetarian", "Is allergic to nuts", "Is allergic to shellfish",
        "Likes hiking", "Likes chess", "Lives in Paris", "Works as a data scientist at Acme",
        "Is 30 years old", "Has a dog named Max", "Favourite color is blue", "Does not drink alcohol",
    ])
]

PROFILE_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "city": {"type": "string", "description": "Where the user lives"},
        "diet": {"type": "string", "enum": ["vegetarian", "vegan", "omnivore"]},
        "allergies": {"type": "array", "items": {"type": "string"}},
        "hobbies": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "has_pets": {"type": "boolean"},
        "drinks_alcohol": {"type": "boolean"},
        "job": {"type": "object", "properties": {
            "title": {"type": "string", "description": "Job title"},
            "company": {"type": "string"},
        }},
        "favorite_color": {"type": ["string", "null"]},
        "music_taste": {"type": ["string", "null"]},
        "salary": {"type": "number"},
    },
    "required": ["name", "age", "salary"],
    "additionalProperties": False,
}


def test_export_fills_a_profile_schema():
    data = build_export(PROFILE_SCHEMA, MEMORIES)
    jsonschema.validate(data, PROFILE_SCHEMA)
    assert data["name"] == "Alex"
    assert data["age"] == 30
    assert data["city"] == "Paris"
    assert data["diet"] == "vegetarian"
    assert data["allergies"] == ["nuts", "shellfish"]
    assert set(data["hobbies"]) == {"hiking", "chess"}
    assert data["has_pets"] is True
    assert data["drinks_alcohol"] is False
    assert data["job"] == {"title": "data scientist", "company": "Acme"}
    assert data["favorite_color"] == "blue"
    assert data["music_taste"] is None  # nothing relevant, nullable
    assert data["salary"] == 0  # nothing relevant, required


def test_export_arrays_keep_the_closest_memories_as_stated_values():
    memories = [{"memory": t, "categories": categorize(t)} for t in ("Name is Alex", "Is a vegetarian",
                                                                     "Is allergic to nuts", "Lives in Lisbon")]
    schema = {"type": "object", "properties": {
        "name": {"type": "string", "description": "The user's name"},
        "dietary_restrictions": {"type": "array", "items": {"type": "string"}},
    }}
    assert build_export(schema, memories) == {
        "name": "Alex", "dietary_restrictions": ["vegetarian", "Is allergic to nuts"],
    }


def test_export_accepts_a_json_string_and_records_of_memories():
    schema = {
        "type": "object",
        "properties": {"memories": {"type": "array", "items": {
            "type": "object",
            "properties": {"text": {"type": "string"}, "categories": {"type": "array", "items": {"type": "string"}},
                           "created_at": {"type": "string"}},
            "required": ["text"],
        }}},
    }
    data = build_export(json.dumps(schema), MEMORIES)
    jsonschema.validate(data, schema)
    assert [r["text"] for r in data["memories"]] == [m["memory"] for m in MEMORIES]
    assert data["memories"][1]["categories"] == MEMORIES[1]["categories"]


def test_export_follows_local_refs_and_handles_untyped_roots():
    schema = {
        "type": "object",
        "properties": {"profile": {"$ref": "#/$defs/profile"}},
        "$defs": {"profile": {"type": "object", "properties": {"name": {"type": "string"}}}},
    }
    data = build_export(schema, MEMORIES)
    jsonschema.validate(data, schema)
    assert data == {"profile": {"name": "Alex"}}
    assert build_export({}, MEMORIES)["memories"][0] == "Name is Alex"
    assert build_export({"type": "object", "properties": {"x": {"type": "string"}}}, []) == {}


def test_export_rejects_non_json_text():
    with pytest.raises(ValueError):
        build_export("{not json", MEMORIES)


def test_hostile_export_schemas_are_bounded():
    deep: dict = {"type": "object", "properties": {}}
    node = deep
    for _ in range(1000):
        child: dict = {"type": "object", "properties": {}, "required": ["a"]}
        node["properties"]["a"] = child
        node["required"] = ["a"]
        node = child
    assert isinstance(build_export(deep, MEMORIES), dict)
    cyclic: dict = {"type": "object", "properties": {}}
    cyclic["properties"]["self"] = cyclic
    assert isinstance(build_export(cyclic, MEMORIES), dict)
    wide = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(5000)}}
    jsonschema.validate(build_export(wide, MEMORIES), wide)
    refs = {"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}}
    build_export(refs, MEMORIES)
    redos = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}}
    jsonschema.validate(build_export(redos, MEMORIES), redos)
    with pytest.raises(ValueError):
        build_export("[" * 100_000, MEMORIES)


_NAMES = st.sampled_from(["name", "age", "city", "hobbies", "allergies", "diet", "pets", "job", "notes", "score"])


def _leaf() -> st.SearchStrategy[dict]:
    return st.one_of(
        st.fixed_dictionaries({"type": st.sampled_from(["string", "integer", "number", "boolean"])}),
        st.fixed_dictionaries({"type": st.just(["string", "null"])}),
        st.fixed_dictionaries({"type": st.just("string"), "maxLength": st.integers(1, 10)}),
        st.fixed_dictionaries({"type": st.just("integer"), "minimum": st.integers(-5, 50),
                               "maximum": st.integers(50, 100)}),
        st.fixed_dictionaries({"enum": st.lists(st.sampled_from(["vegetarian", "vegan", "Paris", 3, None]),
                                                min_size=1, max_size=4, unique=True)}),
        st.fixed_dictionaries({"type": st.just("array"), "items": st.fixed_dictionaries(
            {"type": st.sampled_from(["string", "integer"])}), "maxItems": st.integers(0, 3)}),
    )


def _object(children: st.SearchStrategy[dict]) -> st.SearchStrategy[dict]:
    return st.dictionaries(_NAMES, children, max_size=4).flatmap(
        lambda props: st.fixed_dictionaries({
            "type": st.just("object"),
            "properties": st.just(props),
            "required": st.lists(st.sampled_from(sorted(props) or ["name"]), unique=True, max_size=2)
            .map(lambda r: [k for k in r if k in props]),
        })
    )


_SCHEMAS = st.recursive(_leaf(), _object, max_leaves=8).map(
    lambda s: s if s.get("type") == "object" else {"type": "object", "properties": {"value": s}}
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_SCHEMAS, st.integers(0, len(MEMORIES)))
def test_exports_validate_against_generated_schemas(schema, count):
    jsonschema.validate(build_export(schema, MEMORIES[:count]), schema)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({
    "role": st.sampled_from(["user", "assistant", "system"]),
    "content": st.one_of(st.text(max_size=300), st.sampled_from([
        "I'm no longer ", "I am ", "My name is ", "forget that I", "I like , and ", "I have no ",
        "My  's name is", "I'm a and and", "I stopped ing", "I'm Alex, a",
    ])),
}), max_size=4))
def test_extract_facts_never_raises_and_is_stable(messages):
    first = extract_facts(messages)
    assert first == extract_facts(messages)
    assert len({f.subject for f in first}) == len(first)
    for fact in first:
        assert fact.text and fact.subject
    reconcile(first, [("m", f.text) for f in first])
