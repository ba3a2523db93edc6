"""Text normalisation shared by categorisation, inference and search.

Everything here is deterministic and dependency-light (snowball stemming only), so that
the mock's "understanding" of text is reproducible across runs and machines: the same
text always gives the same tokens, stems and related terms. Nothing iterates over a set
to build an output, because string hashing (and so set order) changes between processes.
"""

from __future__ import annotations

import re
import sys
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

from .lexicon import HYPERNYMS, IRREGULAR, SYNONYMS

__all__ = [
    "GROUPS",
    "NEIGHBOURS",
    "RELATED",
    "RELATED_WEIGHT",
    "STOPWORDS",
    "content_terms",
    "expand",
    "neighbours",
    "extract_keywords",
    "related",
    "shared",
    "stem",
    "tokenize",
]

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
_CONTRACTION_SUFFIXES = frozenset({"m", "re", "ve", "ll", "d", "t"})


def _split(words: str) -> list[str]:
    """Whitespace-separated word lists, kept as text blocks for readability."""
    return words.split()

# Function words plus the filler of questions and requests ("can you tell me ..."): they
# say nothing about what a memory or a query is about.
STOPWORDS: frozenset[str] = frozenset(
    _split("""
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do
    does doesn't doing don't down during each few for from further had hadn't has hasn't
    have haven't having he he'd he'll he's her here here's hers herself him himself his how
    how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most
    mustn't my myself no nor not of off on once only or other ought our ours ourselves out
    over own same shan't she she'd she'll she's should shouldn't so some such than that
    that's the their theirs them themselves then there there's these they they'd they'll
    they're they've this those through to too under until up very was wasn't we we'd we'll
    we're we've were weren't what what's when when's where where's which while who who's
    whom why why's with won't would wouldn't you you'd you'll you're you've your yours
    yourself yourselves
    im ive id dont doesnt didnt cant wont isnt arent wasnt
    also just really any anything everything something nothing ever else etc
    s t m re ve ll d
    user users someone somebody anyone person people
    tell know remember recall recommend suggest give show find help please thanks thank
    think want wants need needs could might may must shall will
    today tonight tomorrow yesterday now currently
    hi hello hey ok okay yes yeah sure
    get gets got go goes going make makes made thing things stuff kind sort lot lots much many well
    """)
)

_STEMMER = snowballstemmer.stemmer("english")
_STEM_LOCK = threading.Lock()  # the snowball stemmer object keeps per-call state


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens; possessive "'s" is dropped, other contractions kept whole."""
    tokens = []
    for token in _TOKEN.findall(text.translate(_APOSTROPHES).lower()):
        if token.endswith("'s"):
            token = token[:-2]
        tokens.append(token)
    return tokens


# American and British spellings meet before stemming ("favorite" and "favourite").
_VARIANTS: dict[str, str] = {
    "favorite": "favourite", "favorites": "favourites", "favorited": "favourited",
    "color": "colour", "colors": "colours", "colored": "coloured", "colorful": "colourful",
    "gray": "grey", "theater": "theatre", "theaters": "theatres", "center": "centre",
    "centers": "centres", "jewelry": "jewellery", "humor": "humour", "flavor": "flavour",
    "flavors": "flavours", "neighbor": "neighbour", "neighbors": "neighbours",
    "neighborhood": "neighbourhood", "organization": "organisation",
    "organizations": "organisations", "organize": "organise", "realize": "realise",
    "mom": "mum", "moms": "mums", "cozy": "cosy", "pajamas": "pyjamas", "yogurt": "yoghurt",
    "catalog": "catalogue", "traveler": "traveller", "travelers": "travellers",
    "aluminum": "aluminium", "practicing": "practising", "license": "licence",
    "defense": "defence", "pediatrician": "paediatrician", "mustache": "moustache",
}


def _fold_accents(word: str) -> str:
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (English) stem, cached: the same words recur across memories and queries.

    Accents are folded ("café" and "cafe" meet), American spellings are mapped to British
    ones and irregular forms to their base ("ran" -> "run", `lexicon.IRREGULAR`) first.
    """
    word = _fold_accents(word)
    word = _VARIANTS.get(word, word)
    word = IRREGULAR.get(word, word)
    with _STEM_LOCK:
        return _STEMMER.stemWord(word)


def _is_content(token: str) -> bool:
    if token in STOPWORDS:
        return False
    # Contractions ("i'm", "don't", ...) are function words whatever their spelling.
    return not ("'" in token and token.rsplit("'", 1)[1] in _CONTRACTION_SUFFIXES)


def content_terms(text: str) -> list[str]:
    """Stems of the non-stopword tokens, in order (repeats kept)."""
    return [stem(token) for token in tokenize(text) if _is_content(token)]


def extract_keywords(text: str, limit: int = 10) -> tuple[str, ...]:
    """Distinct lowercase content words (>= 3 chars), in order of appearance (interned:
    every memory that holds a word holds the same string)."""
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if len(seen) >= limit:
            break
        if len(token) >= 3 and _is_content(token) and "'" not in token:
            seen.setdefault(sys.intern(token), None)
    return tuple(seen)


_SHARED: dict[tuple[str, ...], tuple[str, ...]] = {}
SHARED_KEPT = 65_536  # distinct tuples remembered; past it, new ones are simply not shared


def shared(words: Iterable[str]) -> tuple[str, ...]:
    """The words as one tuple object for every equal tuple: the many memories with the
    same categories hold one tuple between them rather than a list each."""
    key = tuple(sys.intern(word) for word in words)
    found = _SHARED.get(key)
    if found is not None:
        return found
    if len(_SHARED) < SHARED_KEPT:
        _SHARED[key] = key
    return key


# --- related terms ----------------------------------------------------------------------
# The word lists live in `lexicon.py`; here they become stem relations. A synonym group
# relates each of its words to every other; a hypernym line relates each head to each
# member (and the heads to one another), never members to each other.


def _stems_of(words: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(stem(w) for w in tokenize(words) if w not in STOPWORDS))


def _entries(table: str) -> list[str]:
    """One string per entry of a lexicon table; an indented line continues the one above."""
    entries: list[str] = []
    for line in table.strip("\n").splitlines():
        if line[:1].isspace() and entries:
            entries[-1] += " " + line.strip()
        elif line.strip():
            entries.append(line.strip())
    return entries


def _parse_groups(groups: str) -> dict[str, tuple[str, ...]]:
    """Group label ("~" + stem of its first word, made unique) -> member stems."""
    parsed: dict[str, tuple[str, ...]] = {}
    for line in _entries(groups):
        stems = _stems_of(line)
        if len(stems) < 2:
            continue
        label = "~" + stems[0]
        n = 2
        while label in parsed:
            label, n = f"~{stems[0]}{n}", n + 1
        parsed[label] = stems
    return parsed


def _parse_hypernyms(lines: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """`heads: members` lines as (head stems, member stems)."""
    parsed = []
    for line in _entries(lines):
        heads, _, members = line.partition(":")
        parsed.append((_stems_of(heads), _stems_of(members)))
    return parsed


def _relate(
    groups: dict[str, tuple[str, ...]], hypernyms: list[tuple[tuple[str, ...], tuple[str, ...]]]
) -> dict[str, tuple[str, ...]]:
    related: dict[str, dict[str, None]] = {}

    def link(a: str, b: str) -> None:
        if a != b:
            related.setdefault(a, {})[b] = None
            related.setdefault(b, {})[a] = None

    for stems in groups.values():
        for a in stems:
            for b in stems:
                link(a, b)
    for heads, members in hypernyms:
        for head in heads:
            for other in (*heads, *members):
                link(head, other)
    return {s: tuple(sorted(others)) for s, others in sorted(related.items())}


GROUPS: dict[str, tuple[str, ...]] = _parse_groups(SYNONYMS)
HYPERNYM_LINKS = _parse_hypernyms(HYPERNYMS)
# stem -> stems of its synonym groups (sorted): what categorisation, inference and exports relate
RELATED: dict[str, tuple[str, ...]] = _relate(GROUPS, [])
# stem -> synonyms plus hypernym links (sorted): what search relates ("animal" -> "dog")
NEIGHBOURS: dict[str, tuple[str, ...]] = _relate(GROUPS, HYPERNYM_LINKS)
RELATED_WEIGHT = 0.5


def related(term: str) -> tuple[str, ...]:
    """Stems related to a stem (sorted), empty when the lexicon does not know it."""
    return RELATED.get(term, ())


def neighbours(term: str) -> tuple[str, ...]:
    """Stems search relates to a stem: its synonyms and its hypernym links (sorted)."""
    return NEIGHBOURS.get(term, ())


def expand(stems: Iterable[str]) -> dict[str, float]:
    """Each stem with weight 1.0, then the stems related to them with RELATED_WEIGHT."""
    out: dict[str, float] = {}
    ordered = list(dict.fromkeys(stems))
    for s in ordered:
        out[s] = 1.0
    for s in ordered:
        for r in RELATED.get(s, ()):
            if r not in out:
                out[r] = RELATED_WEIGHT
    return out
