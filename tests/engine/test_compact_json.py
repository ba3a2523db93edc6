"""`compact_json.loads` reads request bodies with orjson; it must read what `json.loads` reads."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.engine import compact_json

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
    | st.integers(min_value=-(2**70), max_value=2**70),  # past 64 bits on both sides
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(JSON_VALUES, st.booleans())
def test_reads_what_the_standard_library_reads(value, as_text):
    raw = json.dumps(value, ensure_ascii=False)
    source = raw if as_text else raw.encode("utf-8", "surrogatepass")
    assert compact_json.loads(source) == json.loads(source)


def test_integers_past_64_bits_stay_exact_integers():
    for number in (2**63 + 1, 2**64 - 1, -(2**63) - 1, 10**30 + 7):
        read = compact_json.loads(json.dumps({"n": number}).encode())["n"]
        assert read == number and type(read) is int


def test_what_orjson_refuses_is_the_standard_librarys_to_judge():
    refusals = {b"[NaN]": "NaN", b"[Infinity]": "Infinity"}
    for raw, constant in refusals.items():
        seen = []
        compact_json.loads(raw, parse_constant=seen.append)
        assert seen == [constant]
    assert compact_json.loads('{"a": "\u00e9"}'.encode("utf-16")) == {"a": "\u00e9"}  # json detects UTF-16
    assert compact_json.loads(b'"\\ud800"') == "\ud800"  # a lone surrogate: refused later, by the server
