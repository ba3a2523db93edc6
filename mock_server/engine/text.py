"""Text normalisation shared by categorisation, inference and search.

Everything here is deterministic and dependency-light (snowball stemming only), so that
the mock's "understanding" of text is reproducible across runs and machines: the same
text always gives the same tokens, stems and related terms. Nothing iterates over a set
to build an output, because string hashing (and so set order) changes between processes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

__all__ = [
    "CONCEPTS",
    "GROUPS",
    "RELATED",
    "RELATED_WEIGHT",
    "STOPWORDS",
    "concepts",
    "content_terms",
    "expand",
    "extract_keywords",
    "related",
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


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (English) stem, cached: the same words recur across memories and queries.

    American spellings are mapped to British ones first, so both give one stem.
    """
    word = _VARIANTS.get(word, word)
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


def extract_keywords(text: str, limit: int = 10) -> list[str]:
    """Distinct lowercase content words (>= 3 chars), in order of appearance."""
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if len(seen) >= limit:
            break
        if len(token) >= 3 and _is_content(token) and "'" not in token:
            seen.setdefault(token, None)
    return list(seen)


# --- related terms ----------------------------------------------------------------------
# One group per line: every word of a group is related to every other word of it. Groups
# are kept small and specific (near-synonyms and tight associations); broad topical
# closeness is the job of categories, not of this lexicon. Words are stemmed on load, so
# inflections ("recipes", "cooking") need not be listed.
_GROUPS = """
cook recipe meal dish cuisine chef kitchen bake homemade culinary
dinner lunch breakfast brunch supper meal food eat snack
food eat meal dish cuisine diet dietary nutrition nutritional
restaurant cafe bistro diner eatery takeout dine
vegetarian vegan veggie meat diet dietary pescatarian
vegan dairy meat vegetarian
meat beef pork chicken steak bacon ham lamb sausage
fish seafood salmon tuna shrimp shellfish prawn sushi
allergy allergic intolerance intolerant allergen reaction sensitivity anaphylaxis
nut nuts peanut almond cashew walnut hazelnut pecan pistachio
dairy milk cheese lactose butter yogurt cream
gluten wheat bread celiac flour
pasta spaghetti lasagna noodle macaroni italian risotto pizza
dessert cake sweet chocolate candy cookie pastry sugar
fruit apple banana orange berry strawberry mango grape
vegetable veggie salad broccoli carrot spinach tomato lettuce
drink beverage coffee tea juice soda smoothie
alcohol beer wine cocktail whiskey vodka liquor booze sober
coffee espresso latte cappuccino caffeine barista
spicy spice chili pepper
sushi japanese ramen tempura
mexican taco burrito nacho
indian curry masala naan
chinese noodle dumpling wok
cilantro coriander herb parsley basil
grocery groceries supermarket ingredient
health healthy wellness wellbeing medical
doctor physician hospital clinic nurse appointment checkup
medication medicine pill prescription drug treatment supplement vitamin
sick ill illness disease condition symptom diagnosis
diabetes diabetic insulin sugar
asthma inhaler breathing
pain ache injury hurt headache migraine injured
sleep insomnia nap bedtime asleep
exercise workout gym fitness training
weight calorie diet slim
anxiety depression stress therapy therapist mental
pregnant pregnancy expecting
sport sports game match team athlete athletic league
tennis racket wimbledon
football soccer goal
basketball nba hoop
run running jog marathon runner race
swim swimming pool swimmer
cycling bike bicycle cyclist biking
hike hiking trek trekking trail walk outdoors mountain hiker
climb climbing boulder bouldering climber
yoga pilates meditation meditate stretching
golf golfer
ski skiing snowboard snowboarding slope
surf surfing wave surfer
travel trip journey vacation holiday tour visit abroad traveller traveler
flight fly airline airport plane layover
hotel hostel accommodation airbnb resort lodging
beach sea ocean coast island
passport visa abroad international
move moved relocate relocation
live lives home house apartment flat residence reside hometown
city town country place location
job work career employer company occupation profession employment position role
colleague coworker boss manager office
office workplace remote commute
salary pay income wage earn
engineer developer programmer software coder
teacher teach teaching school student education
study learn course university college degree school student
business startup entrepreneur founder company
retire retired retirement pension
family relative parent mother father mom dad sibling brother sister
child children kid son daughter baby toddler
wife husband spouse partner married marriage
friend buddy pal friendship
marry married wedding engaged engagement fiance fiancee
pet dog cat puppy kitten animal
dog puppy canine retriever labrador beagle poodle terrier corgi collie
cat kitten feline tabby
name nickname
birthday born birth
age old young
email mail contact phone
language speak fluent native bilingual
spanish spain
french france
german germany
italian italy
japanese japan
movie film cinema director actor actress
tv television show series episode netflix streaming
book novel read reading author literature story
music musical song band album listen concert singer musician playlist
concert gig festival
videogame gaming console playstation xbox nintendo gamer
theater theatre musical broadway
podcast radio episode
comedy funny humor humour
art painting paint museum gallery draw drawing artist
guitar piano violin drum instrument cello ukulele saxophone
jazz blues rock pop classical hiphop rap genre
photography photo camera picture
hobby hobbies pastime interest leisure activity
garden gardening plant flower
knit knitting sew sewing craft crochet
chess puzzle boardgame
collect collection collector stamp coin
write writing blog journal journaling poetry poem writer
dance dancing dancer ballet
technology tech computer gadget device
phone smartphone iphone android mobile pixel
laptop computer macbook
code coding programming program software developer
python javascript typescript golang kotlin
ai ml machine learning
app application software
internet web website online browser
data database analytics analyst scientist
fashion style clothes clothing outfit wear wardrobe
shoe shoes sneaker boot heel footwear
dress skirt shirt jeans jacket coat sweater
jewelry jewellery necklace earring bracelet
makeup cosmetics skincare beauty
color colour hue shade
graduate graduation graduated diploma degree
promotion promoted raise
anniversary celebrate celebration milestone achievement
like love enjoy prefer favourite favorite fond fan adore
dislike hate detest avoid loathe
prefer preference rather choice
car vehicle drive driving automobile
weather rain sunny cold
morning early sunrise
night evening late
weekend saturday sunday
summer winter spring autumn season
money budget saving savings save finance financial
shop shopping store buy purchase
"""


def _parse_groups(groups: str) -> dict[str, tuple[str, ...]]:
    """Group label ("~" + stem of its first word, made unique) -> member stems."""
    parsed: dict[str, tuple[str, ...]] = {}
    for line in groups.strip().splitlines():
        stems = tuple(dict.fromkeys(stem(w) for w in line.split() if w not in STOPWORDS))
        if len(stems) < 2:
            continue
        label = "~" + stems[0]
        n = 2
        while label in parsed:
            label, n = f"~{stems[0]}{n}", n + 1
        parsed[label] = stems
    return parsed


def _invert(groups: dict[str, tuple[str, ...]]) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    related: dict[str, dict[str, None]] = {}
    concepts: dict[str, dict[str, None]] = {}
    for label, stems in groups.items():
        for s in stems:
            concepts.setdefault(s, {})[label] = None
            bucket = related.setdefault(s, {})
            for other in stems:
                if other != s:
                    bucket.setdefault(other, None)
    return (
        {s: tuple(sorted(others)) for s, others in sorted(related.items())},
        {s: tuple(labels) for s, labels in sorted(concepts.items())},
    )


GROUPS: dict[str, tuple[str, ...]] = _parse_groups(_GROUPS)
RELATED: dict[str, tuple[str, ...]]  # stem -> the other stems of its groups (sorted)
CONCEPTS: dict[str, tuple[str, ...]]  # stem -> labels of the groups it belongs to
RELATED, CONCEPTS = _invert(GROUPS)
RELATED_WEIGHT = 0.5


def related(term: str) -> tuple[str, ...]:
    """Stems related to a stem (sorted), empty when the lexicon does not know it."""
    return RELATED.get(term, ())


def concepts(term: str) -> tuple[str, ...]:
    """Labels ("~cook") of the lexicon groups a stem belongs to: its shared meanings."""
    return CONCEPTS.get(term, ())


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
