"""Rule-based fact extraction and reconciliation: the mock's stand-in for the LLM.

The real service asks an LLM to turn a conversation into short third-person facts ("Is a
vegetarian") and to decide, against what it already knows, whether each is new (ADD), a
changed value (UPDATE), a retraction (DELETE) or known (NOOP). Here both steps are plain
rules, so the same messages always give the same memories in the same order:

* `extract_facts` reads the `user` messages sentence by sentence, clause by clause, and
  rewrites first-person statements it recognises into canonical facts ("I moved to
  Berlin" -> "Lives in Berlin"); other personal statements ("I ...") are rewritten to the
  third person as they are; questions, requests and greetings give nothing.
* Every fact has a `subject`, a key of what it is about ("residence", "likes:hike"), and
  `subject_of` recovers that key from a stored text, so a later fact about the same thing
  is recognised as a change of it. Keys are built from stems, so "I love hiking" and "I
  stopped hiking" meet on "likes:hike".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .categories import categorize, query_categories
from .text import STOPWORDS, content_terms, expand, stem, tokenize

__all__ = ["Decision", "Fact", "extract_facts", "reconcile", "subject_of"]


@dataclass(frozen=True)
class Fact:
    """A short third-person fact, what it is about, and whether it retracts that subject."""

    text: str
    subject: str
    retraction: bool = False


@dataclass(frozen=True)
class Decision:
    """What to do with one fact: ADD (memory_id None), UPDATE, DELETE or NOOP."""

    event: str
    text: str
    memory_id: str | None


# --- vocabularies -----------------------------------------------------------------------

_I = re.IGNORECASE


def _split(words: str) -> list[str]:
    """Whitespace-separated word lists, kept as text blocks for readability."""
    return words.split()
_MAX_RULE_CLAUSE = 400  # longer clauses skip the pattern rules (bounded regex work)
_MAX_MESSAGE_CHARS = 100_000
_MAX_TOTAL_CHARS = 200_000  # of user text read per call: bounded work whatever the body size

_DIET_NOUNS = (
    "vegetarian|vegan|pescatarian|pescetarian|flexitarian|carnivore|omnivore|lacto-vegetarian"
    "|ovo-vegetarian|fruitarian|plant-based eater"
)
_DIET_ADJECTIVES = (
    "keto|ketogenic|paleo|gluten-free|gluten free|dairy-free|dairy free|kosher|halal|low-carb"
    "|low carb|plant-based|plant based|whole30|mediterranean|raw vegan|sugar-free|sugar free"
)
_RELATIONSHIP = (
    "married|engaged|single|divorced|widowed|separated|in a relationship|in a civil partnership"
    "|dating someone|dating somebody|seeing someone"
)
_NATIONALITIES = frozenset(
    _split("""
    american british english scottish welsh irish canadian mexican brazilian argentinian
    argentine chilean colombian peruvian venezuelan cuban french german italian spanish
    portuguese dutch belgian swiss austrian swedish norwegian danish finnish icelandic polish
    czech slovak hungarian romanian bulgarian greek turkish russian ukrainian belarusian
    serbian croatian slovenian bosnian albanian lithuanian latvian estonian israeli iranian
    iraqi syrian lebanese jordanian egyptian moroccan algerian tunisian nigerian ghanaian
    kenyan ethiopian somali south-african indian pakistani bangladeshi nepali sri-lankan
    chinese japanese korean vietnamese thai filipino indonesian malaysian singaporean
    australian kiwi taiwanese mongolian afghan saudi emirati qatari jamaican haitian
    dominican puerto-rican european asian african latino latina hispanic
    """)
)
_PROFESSIONS = frozenset(
    _split("""
    accountant actor actress administrator analyst architect artist assistant attorney
    baker banker barber barista bartender biologist bookkeeper builder butcher carpenter
    cashier ceo cfo cto chef chemist cleaner clerk coach consultant contractor cook
    counselor counsellor dancer dentist designer detective developer dietitian director
    doctor driver economist editor electrician engineer entrepreneur farmer firefighter
    founder freelancer gardener geologist hairdresser historian illustrator instructor
    intern investor janitor journalist judge lawyer lecturer librarian lifeguard linguist
    machinist manager marketer mathematician mechanic midwife musician nanny nurse
    nutritionist officer optician painter paralegal paramedic pharmacist photographer
    physician physicist physiotherapist pilot plumber poet policeman policewoman
    politician postman producer professor programmer psychiatrist psychologist publisher
    realtor receptionist recruiter reporter researcher salesman saleswoman salesperson
    scientist secretary singer soldier specialist statistician student surgeon surveyor
    tailor teacher technician therapist trader translator tutor veterinarian vet waiter
    waitress webmaster welder writer youtuber streamer marketer strategist coordinator
    executive supervisor owner partner associate representative agent officer clinician
    dev sre devops pm
    """)
)
_JOB_STATUSES = (
    "retired|unemployed|self-employed|self employed|a student|a freelancer|between jobs"
    "|a stay-at-home (?:mom|mum|dad|parent)|a homemaker|out of work|a full-time student"
    "|a grad student|a graduate student|an undergrad|an undergraduate"
)
_PETS: dict[str, str] = {
    **{w: "dog" for w in _split(
        "dog dogs puppy puppies pup retriever labrador lab poodle beagle terrier bulldog husky"
        " shepherd corgi dachshund chihuahua spaniel pug collie doodle labradoodle greyhound"
        " rottweiler boxer schnauzer dalmatian pomeranian sheepdog whippet shiba akita"
    )},
    **{w: "cat" for w in _split("cat cats kitten kittens kitty tabby siamese persian ragdoll sphynx bengal")},
    **{w: w.rstrip("s") for w in _split(
        "parrot parrots budgie bird birds fish goldfish hamster hamsters rabbit rabbits bunny"
        " turtle turtles tortoise horse horses pony snake snakes lizard gecko iguana ferret"
        " chinchilla mouse rat rats hedgehog chicken chickens goat goats"
    )},
}
_PETS.update({"fish": "fish", "goldfish": "fish", "bunny": "rabbit", "mouse": "mouse", "pony": "horse"})
_FAMILY: dict[str, str] = {
    **{w: "child" for w in _split("kid kids child children baby babies toddler")},
    **{w: "mother" for w in _split("mother mom mum mommy mummy")},
    **{w: "father" for w in _split("father dad daddy")},
    **{w: "partner" for w in _split("partner spouse")},
    **{w: w.rstrip("s") for w in _split(
        "wife husband boyfriend girlfriend fiance fiancee son sons daughter daughters brother"
        " brothers sister sisters sibling siblings parents grandmother grandma grandfather"
        " grandpa grandparents aunt aunts uncle uncles cousin cousins niece nieces nephew"
        " nephews twin twins stepson stepdaughter stepmother stepfather"
    )},
}
_FAMILY.update({"grandma": "grandmother", "grandpa": "grandfather", "parents": "parent"})
_NUMBER_WORDS = (
    "a|an|one|two|three|four|five|six|seven|eight|nine|ten|some|several|many|few|a few|a couple of"
    "|\\d+"
)
_TRANSIENT = re.compile(
    r"^(?:(?:so|very|really|a bit|a little|quite|pretty|super|just|kind of|kinda|totally|"
    r"feeling|not)\s+)*(?:tired|exhausted|hungry|starving|thirsty|happy|sad|upset|angry|"
    r"bored|fine|good|great|ok|okay|alright|well|sorry|glad|sure|unsure|not sure|here|back|"
    r"ready|excited|curious|wondering|thinking|confused|stressed|busy|cold|hot|done|"
    r"finished|in a hurry|new here|lost|stuck|worried|nervous|afraid|scared|annoyed|"
    r"frustrated|grateful|thankful|impressed|surprised|looking for|trying to (?:find|figure|"
    r"decide|choose|understand|get|remember|work out)|asking|calling|writing|messaging|"
    r"texting|going to ask|wondering|about to|on my way|home|online|available|free|"
    r"interested to know|happy to|sick of|fed up)\b",
    _I,
)
_REQUEST = re.compile(
    r"^I (?:need|am looking for|was looking for|am searching|was searching|was wondering|"
    r"wonder|am wondering|hope you|would like(?! to\b)|would love(?! to\b)|want you|need you|"
    r"am curious|was curious|have a question|have some questions|have a quick question|"
    r"am asking|was asking|wanted to ask|just wanted|want to ask|would appreciate|"
    r"appreciate|apologi[sz]e|am sorry|mean|see|know|understand|agree|disagree|suppose|"
    r"guess|forgot|cannot remember|can not remember|do not know|did not know|"
    r"do not understand|am not sure|was thinking|am thinking|promise|bet|feel|felt|"
    r"just said|said|told you|asked|am here|am back|am ready|am done|hope|wish you|"
    r"would say|think)\b",
    _I,
)
_QUESTION = re.compile(
    r"^(?:what|who|whom|whose|where|when|why|how|which|can|could|would|will|should|shall|do|"
    r"does|did|is|are|am|was|were|have|has|had|may|might|must|any|anything|is there|"
    r"are there)\b",
    _I,
)
_COMMAND = re.compile(
    r"^(?:please|tell|give|show|find|recommend|suggest|help|list|describe|explain|let me|"
    r"let us|send|book|plan|remind|make|write|create|summari[sz]e|translate|check|look|"
    r"search|get|bring|order|compare|calculate|set|add|update|change|thanks|thank you|"
    r"you|your|it|this|that|these|those|there|here)\b",
    _I,
)
_INTERJECTION = re.compile(
    r"^(?:(?:(?:hi|hello|hey|hiya|howdy|greetings)(?:\s+there)?|yo|well|oh|ok|okay|so|also|"
    r"actually|btw|by the way|fyi|just so you know|just to let you know|for the record|"
    r"to be honest|honestly|anyway|anyways|and|but|yes|yeah|yep|nope|no|um|uh|hmm|great|"
    r"cool|right|alright|basically|now|plus|again|oh well|sure|indeed|also|then|good "
    r"(?:morning|afternoon|evening|day)|dear \w+)(?:[\s,!.:;-]+|$))+",
    _I,
)
_ADVERBS = (
    r"really|also|absolutely|totally|just|actually|definitely|truly|kind of|kinda|sort of|"
    r"still|usually|generally|mostly|especially|currently|now|recently|genuinely|honestly|"
    r"seriously|certainly|very much|particularly|quite|even|already|finally|personally|"
    r"happen to|do also|too|simply|obviously|clearly|officially|somewhat|very|so|pretty"
)
_LEADING_ADVERBS = re.compile(rf"^(?:(?:{_ADVERBS})\s+)+", _I)
_TRAILING_FILLER = re.compile(
    r"(?:\s*,)?\s+(?:a lot|so much|very much|too|as well|in general|a little|a bit|the most|"
    r"more than anything|all the time|these days|nowadays|lately|anyway|though|actually|"
    r"now|right now|at the moment|currently|at all|for sure|really)$",
    _I,
)
_COMPOUNDS = (
    "mac and cheese", "macaroni and cheese", "rock and roll", "rock n roll", "fish and chips",
    "salt and pepper", "peanut butter and jelly", "drum and bass", "rhythm and blues",
    "dungeons and dragons", "pride and prejudice", "tom and jerry", "black and white",
    "sweet and sour", "bread and butter", "arts and crafts", "law and order",
    "beauty and the beast", "romeo and juliet", "rice and beans", "bed and breakfast",
    "hide and seek", "cops and robbers", "pen and paper", "r and b", "b and b",
)
_DETERMINER = re.compile(rf"^(?:{_NUMBER_WORDS}|the|my|another|pet)\b", _I)
_FIRST_PERSON_VERBS = (
    "work|works|live|like|love|enjoy|have|play|speak|hate|prefer|study|teach|eat|drink|own|"
    "moved|want|plan|am|was|grew|used|dislike|adore|cook|run|swim|travel|visit|go|went"
)

_CONTRACTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, _I), replacement)
    for pattern, replacement in (
        (r"\bI'm\b", "I am"),
        (r"\bim\b", "I am"),
        (r"\bI've\b", "I have"),
        (r"\bive\b", "I have"),
        (r"\bI'd\b", "I would"),
        (r"\bI'll\b", "I will"),
        (r"\bcan't\b|\bcant\b", "cannot"),
        (r"\bwon't\b", "will not"),
        (r"\b(do|does|did|is|are|was|were|have|has|had|could|would|should|must|need)n't\b",
         r"\1 not"),
        (r"\b(do|does|did|is|are|was|were|have|has)nt\b", r"\1 not"),
        (r"\b(it|that|what|there|he|she)'s\b", r"\1 is"),
        (r"\b(you|we|they)'re\b", r"\1 are"),
        (r"\bgonna\b", "going to"),
        (r"\bwanna\b", "want to"),
        (r"\bi\b", "I"),
    )
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})


# --- helpers ----------------------------------------------------------------------------

def _normalise(text: str) -> str:
    text = " ".join(text.translate(_APOSTROPHES).split())
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


_PRONOUNS = (
    (re.compile(r"\bmyself\b", _I), "themselves"),
    (re.compile(r"\bmy\b", _I), "their"),
    (re.compile(r"\bmine\b", _I), "theirs"),
    (re.compile(r"\bme\b", _I), "them"),
    (re.compile(r"\bI am\b"), "they are"),
    (re.compile(r"\bI was\b"), "they were"),
    (re.compile(r"\bI\b"), "they"),
)


def _finish(text: str) -> str:
    """Tidy a fact: one-line, third person, no trailing punctuation, capitalised."""
    text = " ".join(text.split()).strip(" ,;:-.!?\"'")
    for pattern, replacement in _PRONOUNS:
        text = pattern.sub(replacement, text)
    return _capitalise(text)


def _clean_object(obj: str) -> str:
    obj = " ".join(obj.split()).strip(" ,;:-.!?\"'")
    previous = None
    while previous != obj:
        previous = obj
        obj = _TRAILING_FILLER.sub("", obj).strip(" ,;:-.!?\"'")
    return obj


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _split_items(obj: str, require_determiners: bool = False) -> list[str]:
    """A list object ("hiking, chess and jazz") as items, keeping known compounds whole."""
    protected = obj
    for compound in _COMPOUNDS:
        protected = re.sub(re.escape(compound), lambda m: m.group(0).replace(" and ", " \x00 "),
                           protected, flags=_I)
    parts = re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|as well as|&|plus)\s+", protected)
    items = [_clean_object(p.replace(" \x00 ", " and ")) for p in parts]
    items = [i for i in items if i and re.search(r"[^\W_]", i)]
    if not items:
        return []
    if require_determiners and len(items) > 1 and not all(_DETERMINER.match(i) for i in items):
        return [_clean_object(obj)]
    return items


_CUT_OBJECT = re.compile(
    r"\s+(?:on|every|each|with|at|in|for|during|since|twice|once|daily|weekly|monthly|"
    r"sometimes|often|when|while|after|before|because|whenever|almost|most|about|around|"
    r"named|called|especially|like|such as|but|from|over|to|rather than|instead of|more "
    r"than|than|\d+)\b.*$",
    _I,
)


def _key(text: str, limit: int = 6) -> str:
    stems = [s for s in dict.fromkeys(content_terms(text)) if s not in _POLARITY_STEMS]
    if not stems:
        words = [w for w in tokenize(text) if w not in _POLARITY_STEMS]
        return "-".join(words[:limit]) or "none"
    return "-".join(stems[:limit])


def _head_key(obj: str) -> str:
    """Key of what a verb is about: its object without the trailing circumstances."""
    head = _CUT_OBJECT.sub("", " " + obj.strip()).strip() or obj
    return _key(head)


_POLARITY_STEMS = frozenset({"never", "not", "no", "longer", "anymor", "doe", "don"})


def _third_singular(verb: str) -> str:
    lower = verb.lower()
    irregular = {"be": "is", "have": "has", "do": "does", "go": "goes", "am": "is"}
    if lower in irregular:
        return irregular[lower]
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


_PAST = frozenset(
    _split("""
    was were went ate saw had did got made took came bought met ran began grew left found
    gave knew thought wrote drove flew swam sang won lost spent built taught caught brought
    felt kept slept sold told paid said sat stood understood fell broke chose drank forgot
    froze hid rode rose shook stole threw wore became bit blew dug fed fought fled hung heard
    held hurt laid led lent let lit meant put quit set shut split spread struck swept swung
    tore woke wept used read cut hit won beat
    """)
)
_MODALS = frozenset(_split("can cannot could will would shall should may might must ought"))
_ADVERB_WORDS = frozenset(
    _split("""
    also always never often sometimes usually still just really even already recently
    mostly only now rarely seldom occasionally regularly actually definitely totally
    absolutely generally typically normally currently finally truly certainly
    """)
)


def _rewrite_first_person(clause: str) -> str | None:
    """Generic "I <verb> ..." -> "<Verb>s ..."; None when the clause is not of that shape."""
    match = re.match(r"^I\s+(.+)$", clause)
    if not match:
        return None
    words = match.group(1).split(" ")
    out: list[str] = []
    i = 0
    while i < len(words) - 1 and (words[i].lower() in _ADVERB_WORDS or words[i].lower().endswith("ly")):
        out.append(words[i])
        i += 1
    verb = words[i]
    lower = verb.lower()
    if not re.fullmatch(r"[a-z][a-z'-]*", lower):
        return None
    if lower == "am":
        out.append("is")
    elif lower in ("was", "were"):
        out.append("was")
    elif lower in _MODALS or lower in _PAST or lower.endswith("ed"):
        out.append(verb)
    else:
        out.append(_third_singular(verb))
    out.extend(words[i + 1 :])
    return _finish(" ".join(out))


def _ing_to_base(word: str) -> str:
    lower = word.lower()
    irregular = {"being": "be", "having": "have", "lying": "lie", "dying": "die", "skiing": "ski"}
    if lower in irregular:
        return irregular[lower]
    if not lower.endswith("ing") or len(lower) <= 4:
        return lower
    base = lower[:-3]
    if len(base) >= 3 and base[-1] == base[-2] and base[-1] not in "lsz":
        return base[:-1]  # running -> run, swimming -> swim
    if base.endswith(("c", "v", "z", "us")) or (
        len(base) <= 4 and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", base)
    ):
        return base + "e"  # dancing -> dance, hiking -> hike, using -> use
    return base


# --- subjects ---------------------------------------------------------------------------

def _has_subject(obj: str) -> str:
    head = re.split(r"\s+(?:named|called|who|that|which|with|from|in|at|on)\b", obj, maxsplit=1, flags=_I)[0]
    words = [w for w in tokenize(head) if w not in STOPWORDS]
    for word in reversed(words):
        if word in _PETS:
            return "pet:" + _PETS[word]
        if word in _FAMILY:
            return "family:" + _FAMILY[word]
    for word in words:
        if word in ("pet", "pets", "animals"):
            return "pet:any"
    return "has:" + _key(head)


_SubjectRule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_SUBJECT_RULES: tuple[_SubjectRule, ...] = tuple(
    (re.compile(pattern, _I), make)
    for pattern, make in (
        (r"^name is\b", lambda m: "name"),
        (rf"^(?:is|was) (?:not )?(?:an? )?(?:\w+ )?(?:{_DIET_NOUNS})(?: diet)?$", lambda m: "diet"),
        (rf"^(?:follows|is on|eats) (?:an? |the )?(?:strict )?(?:{_DIET_NOUNS}|{_DIET_ADJECTIVES})\b",
         lambda m: "diet"),
        (r"^(?:follows|is on) an? (.+?) diet$", lambda m: "diet"),
        (r"^diet is\b", lambda m: "diet"),
        (r"^is (?:\w+ )?allergic to (.+)$", lambda m: "allergy:" + _key(m.group(1))),
        (r"^(?:is|was) (.+?) intolerant$", lambda m: "allergy:" + _key(m.group(1))),
        (r"^is intolerant (?:to|of) (.+)$", lambda m: "allergy:" + _key(m.group(1))),
        (r"^(?:lives|resides|is living|is based|is located) in\b", lambda m: "residence"),
        (r"^(?:is|comes) (?:originally )?from\b|^grew up in\b", lambda m: "origin"),
        (r"^was born in \d{4}\b", lambda m: "birth_year"),
        (r"^was born in\b", lambda m: "birthplace"),
        (r"^(?:birthday is|was born on)\b", lambda m: "birthday"),
        (r"^is \d{1,3} (?:years? old|years of age)\b", lambda m: "age"),
        (rf"^is (?:not )?(?:{_RELATIONSHIP})\b", lambda m: "relationship"),
        (r"^(?:works|is working|is employed) (?:as|at|for|in|with|by)\b|^job is\b", lambda m: "job"),
        (rf"^is (?:{_JOB_STATUSES})\b", lambda m: "job"),
        (r"^prefers (.+?) (?:over|to|rather than|more than|instead of) (.+)$",
         lambda m: "prefers:" + "-".join(sorted({_head_key(m.group(1)), _head_key(m.group(2))}))),
        (r"^(?:likes|loves|enjoys|adores|prefers|dislikes|hates|detests|loathes|"
         r"does not (?:like|enjoy|love)|is (?:a |an )?(?:\w+ )?fan of|is not (?:a |really a )?"
         r"(?:\w+ )?fan of|is (?:really )?(?:into|obsessed with|passionate about|interested in|"
         r"keen on|fond of|crazy about)|cannot stand) (.+)$",
         lambda m: "likes:" + _head_key(m.group(1))),
        (r"^favou?rite (.+?) (?:is|are|was|were)\b", lambda m: "favourite:" + _key(m.group(1))),
        (r"^(?:has|does not have|owns|does not own) (?!(?:been|had|done|seen|visited|lived|worked|always|"
         r"never|just|already|recently|finally|gone|made|got|become|started|stopped|tried|read|watched|"
         r"played|to)\b)(.+)$",
         lambda m: _has_subject(m.group(1))),
        (r"^(?:speaks|is fluent in|can speak) (.+)$",
         lambda m: "speaks:" + _head_key(re.sub(r"\bfluently\b", "", m.group(1), flags=_I))),
        (r"^(?:plays|does not play) (.+)$", lambda m: "plays:" + _head_key(m.group(1))),
        (r"^(?:wants|plans|hopes|intends|wishes|would like|is planning|is hoping) to (.+)$",
         lambda m: "wants:" + _head_key(m.group(1))),
        (r"^(?:is learning|is studying|learns|is taking \w+ in) (.+)$",
         lambda m: "learning:" + _head_key(m.group(1))),
        (r"^(?:eats|does not eat|never eats|cannot eat) (.+)$", lambda m: "eats:" + _head_key(m.group(1))),
        (r"^(?:drinks|does not drink|never drinks|cannot drink) (.+)$",
         lambda m: "drinks:" + _head_key(m.group(1))),
        (r"^is (\w+)$", lambda m: "nationality" if m.group(1).lower() in _NATIONALITIES else ""),
        (r"^(?!(?:is|was|has|had|does|did|can|will|would)\b)([a-z][\w'-]*(?: [\w'-]+){0,2}) (?:is|are) ",
         lambda m: "my:" + _key(m.group(1))),
    )
)


def _generic_subject(text: str) -> str:
    stems = sorted({s for s in content_terms(text) if s not in _POLARITY_STEMS})
    if stems:
        return "about:" + "-".join(stems[:8])
    words = " ".join(tokenize(text))
    return "about:" + (words[:60] or "none")


def _job_subject(text: str) -> str | None:
    match = re.match(r"^(?:is|was) (?:an? )(.+)$", text, _I)
    if not match:
        return None
    head = re.split(r"\s+(?:at|for|with|in|from)\b", match.group(1), maxsplit=1, flags=_I)[0]
    words = tokenize(head)
    if words and words[-1] in _PROFESSIONS:
        return "job"
    return None


@lru_cache(maxsize=65536)
def _subject(text: str, parse: bool) -> str:
    clean = " ".join(text.translate(_APOSTROPHES).split()).strip(" ,;:-.!?\"'")
    clean = re.sub(r"^(?:user|the user)(?:'s)?\s+", "", clean, flags=_I)
    clean = re.sub(r"\bdoesn't\b", "does not", clean, flags=_I)
    clean = re.sub(r"\bisn't\b", "is not", clean, flags=_I)
    clean = re.sub(r"\b(?:always|usually|really|also|often|generally|mostly)\s+", "", clean, flags=_I)
    for pattern, make in _SUBJECT_RULES:
        match = pattern.match(clean)
        if match:
            key = make(match)
            if key:
                return key
    job = _job_subject(clean)
    if job:
        return job
    if parse and re.match(r"^(?:I|my|me|I'm|im)\b", clean, _I):
        facts = [f for f in _extract_message(clean) if not f.retraction]
        if len(facts) == 1:
            return facts[0].subject
    return _generic_subject(clean)


def subject_of(text: str) -> str:
    """Key of what a stored memory is about ("diet", "likes:hike", "about:<stems>")."""
    return _subject(text, True)


# --- clause rules -----------------------------------------------------------------------

def _fact(text: str) -> Fact:
    text = _finish(text)
    return Fact(text, _subject(text, False))


def _retract(facts: Iterable[Fact]) -> list[Fact]:
    return [Fact(f.text, f.subject, True) for f in facts if not f.retraction]


def _name(raw: str) -> list[Fact]:
    raw = re.split(r"\s*(?:,|;|\band\b|\bbut\b|\bfrom\b|\bbtw\b)\s*", raw.strip(), maxsplit=1, flags=_I)[0]
    words = [w for w in raw.split() if re.fullmatch(r"[^\W\d_][\w'.-]*", w)][:3]
    if not words or words[0].lower() in STOPWORDS:
        return []
    return [_fact("Name is " + " ".join(w if not w.islower() else w.capitalize() for w in words))]


def _works(role: str | None, prep: str | None, org: str | None) -> list[Fact]:
    parts = ["Works"]
    if role:
        role = re.sub(r"^(?:an?|the)\s+", "", _clean_object(role), flags=_I)
        parts.append(f"as {_article(role)} {role}")
    if org:
        parts.append(f"{(prep or 'at').lower()} {_clean_object(org)}")
    return [_fact(" ".join(parts))] if len(parts) > 1 else []


def _is_profession(noun_phrase: str) -> bool:
    words = tokenize(noun_phrase)
    return bool(words) and (words[-1] in _PROFESSIONS or words[-1].rstrip("s") in _PROFESSIONS)


_BE_SPLIT = re.compile(
    rf"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?=(?:an?|also|allergic|intolerant|from|living|based|working|learning|studying|"
    rf"into|on|originally|not|{_RELATIONSHIP}|{_DIET_NOUNS}|\d+)\b)",
    _I,
)


def _parse_be(pred: str, greeting: bool = False) -> list[Fact]:
    """What follows "I am": diet, allergy, age, origin, job, name, status, or as said.

    `greeting`: the sentence opened with "hi"/"hello", where a lone lowercase word after
    "I am" is a name ("hi, i'm alex") rather than an adjective.
    """
    pred = _clean_object(_LEADING_ADVERBS.sub("", pred.strip()))
    if not pred:
        return []
    parts = _BE_SPLIT.split(pred)
    if len(parts) > 1:
        return [f for part in parts for f in _parse_be(part, greeting)]
    name = re.match(r"^([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})(?=$|[\s,])(.*)$", pred)
    if not name and greeting:
        name = re.match(r"^([^\W\d_][\w'-]*)()$", pred)
    if name and _could_be_name(name.group(1)):
        facts = _name(name.group(1))
        rest = re.sub(r"^[\s,]*(?:and\s+)?(?:I am\s+)?", "", name.group(2))
        return facts + (_parse_be(rest) if rest else [])
    for pattern, handler in _BE_RULES:
        match = pattern.match(pred)
        if match:
            result = handler(match)
            if result is not None:
                return result
            break
    if _TRANSIENT.match(pred) or not content_terms(pred) or re.search(r"\byou\b", pred, _I):
        return []
    return [_fact("Is " + pred)]


def _could_be_name(words: str) -> bool:
    first = words.split()[0].lower()
    return "'" not in first and not (
        first in STOPWORDS
        or first in _NATIONALITIES
        or first in _PROFESSIONS
        or re.fullmatch(rf"(?:{_DIET_NOUNS}|{_DIET_ADJECTIVES}|{_RELATIONSHIP})", first)
        or _TRANSIENT.match(first)
        or first in ("allergic", "from", "not", "no", "into", "living", "based", "working", "retired",
                     "learning", "studying", "originally", "fluent", "planning", "going", "new", "big",
                     "huge", "lactose", "gluten", "also", "currently", "still", "always", "vegetarian")
    )


def _be_from(match: re.Match[str]) -> list[Fact]:
    place = re.split(r"\s+(?:and|but|who|where)\s+", match.group(1), maxsplit=1, flags=_I)[0]
    return [_fact("Is from " + _clean_object(place))]


def _be_noun(match: re.Match[str]) -> list[Fact]:
    article, phrase = match.group(1), _clean_object(match.group(2))
    job = re.match(r"^(.+?)\s+(at|for|with|in)\s+(.+)$", phrase, _I)
    if job and _is_profession(job.group(1)):
        return _works(job.group(1), job.group(2), job.group(3))
    origin = re.match(r"^(.+?)\s+from\s+([A-Z].*)$", phrase)
    if origin:
        return _be_noun(re.match(r"^(\w+) (.+)$", f"{article} {origin.group(1)}")) + [
            _fact("Is from " + _clean_object(origin.group(2)))
        ]
    if _is_profession(phrase):
        return _works(phrase, None, None)
    if re.match(r"^(?:big |huge |massive |real |die-hard )?fan of", phrase, _I):
        return [_fact(f"Is {article} {phrase}")]
    return [_fact(f"Is {article.lower()} {phrase}")]


def _relationship(match: re.Match[str]) -> list[Fact]:
    status, prep, rest = match.group(1).lower(), (match.group(2) or "").lower(), match.group(3)
    if not rest:
        return [_fact(f"Is {status}")]
    if prep == "with" and not status.startswith(("in a", "dating", "seeing")):
        return [_fact(f"Is {status}")] + _parse_clause(f"I have {rest}")  # "married with two kids"
    return [_fact(f"Is {status} {prep} {_clean_object(rest)}")]


def _each(template: str, group: int = 1) -> Callable[[re.Match[str]], list[Fact]]:
    def handler(match: re.Match[str]) -> list[Fact]:
        return [_fact(template.format(item=item, m=match)) for item in _split_items(match.group(group))]

    return handler


_BE_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], list[Fact] | None]], ...] = tuple(
    (re.compile(pattern, _I), handler)
    for pattern, handler in (
        (r"^not (?:a |really a |much of a )?(?:big |huge )?fan of (.+)$", _each("Dislikes {item}")),
        (r"^(a |an )?((?:big |huge |massive |real |die-hard )?fan) of (.+)$",
         lambda m: [_fact(f"Is {m.group(1) or 'a '}{m.group(2)} of {i}") for i in _split_items(m.group(3))]),
        (r"^(into|obsessed with|passionate about|interested in|keen on|fond of|crazy about) (.+)$",
         lambda m: [_fact(f"Is {m.group(1).lower()} {i}") for i in _split_items(m.group(2))]),
        (r"^(?:(?:very|severely|highly|deathly|slightly|mildly|extremely|seriously) )?allergic to (.+)$",
         _each("Is allergic to {item}")),
        (r"^(\w+(?: \w+)?) intolerant$", lambda m: [_fact(f"Is {m.group(1).lower()} intolerant")]),
        (r"^intolerant (?:to|of) (.+)$", _each("Is intolerant to {item}")),
        (rf"^(?:(?:an?)\s+)?((?:(?:strict|full|fully|mostly|committed|lifelong|practicing|practising|"
         rf"proud|total)\s+)?)({_DIET_NOUNS})s?$",
         lambda m: [_fact(f"Is {_article(m.group(1) or m.group(2))} {m.group(1)}{m.group(2).lower()}")]),
        (rf"^(?:on an? |following an? )?({_DIET_ADJECTIVES})(?: diet)?$",
         lambda m: [_fact(f"Follows a {m.group(1).lower()} diet")]),
        (r"^(?:on|following) an? (.+?) diet$", lambda m: [_fact(f"Follows a {m.group(1)} diet")]),
        (r"^(\d{1,3})(?:\s*(?:years?|yrs?|y/?o)(?:\s+old)?|\s+years of age)?$",
         lambda m: [_fact(f"Is {int(m.group(1))} years old")] if 0 < int(m.group(1)) < 130 else []),
        (r"^(?:originally )?from (.+)$", _be_from),
        (r"^(?:living|based|located|residing|staying) in (.+)$",
         lambda m: [_fact("Lives in " + _place(m.group(1)))]),
        (rf"^({_RELATIONSHIP})(?:\s+(to|with) (.+))?$", _relationship),
        (r"^(?:working|employed) (?:as (?:an? )?(.+?))?(?:\s*(at|for|by|with|in) (.+))?$",
         lambda m: _works(m.group(1), m.group(2), m.group(3))),
        (rf"^({_JOB_STATUSES})$", lambda m: [_fact(f"Is {m.group(1).lower()}")]),
        (r"^fluent in (.+)$", _each("Speaks {item} fluently")),
        (r"^(learning|studying|taking \w+ in|practicing|practising) (.+)$",
         lambda m: [_fact(f"Is {m.group(1).lower()} {_clean_object(m.group(2))}")]),
        (r"^(?:planning|hoping|intending|aiming) to (.+)$",
         lambda m: [_fact(f"Plans to {_clean_object(m.group(1))}")] if not _request_verb(m.group(1)) else []),
        (r"^(?:looking for|searching for|wondering|curious|asking|trying to find)\b", lambda m: []),
        (r"^(\w+)$",
         lambda m: [_fact("Is " + m.group(1).capitalize())] if m.group(1).lower() in _NATIONALITIES else None),
        (r"^(an?) (.+)$", _be_noun),
    )
)


def _request_verb(rest: str) -> bool:
    return bool(re.match(
        r"^(?:know|ask|find|see|check|understand|confirm|clarify|hear|get|talk|chat|say|tell|"
        r"learn more|figure|make sure|remind)\b", rest.strip(), _I))


_PLACE_CUT = re.compile(
    r"\s+(?:last|this|next|in \d{4}|\d+ (?:years?|months?|weeks?|days?) ago|a (?:few|couple of) "
    r"\w+ ago|recently|with|since|for|because|after|when|ago|now|and|but|where|which|who|"
    r"about|around|back in)\b.*$",
    _I,
)


def _place(raw: str) -> str:
    return _clean_object(_PLACE_CUT.sub("", raw)) or _clean_object(raw)


def _like(match: re.Match[str]) -> list[Fact]:
    verb, obj = match.group(1).lower(), _clean_object(match.group(2))
    if re.match(r"^(?:it|that|this|you|your|them|these|those|him|her|the idea|the sound)\b", obj, _I):
        return []
    if re.match(r"^(?:to )?(?:know|ask|hear|see|get|have|find)\b", obj, _I) and verb in ("like", "love"):
        return []
    canonical = {"like": "Likes", "love": "Loves", "enjoy": "Enjoys", "adore": "Loves", "prefer": "Prefers",
                 "fancy": "Likes", "dig": "Likes", "appreciate": "Likes"}[verb]
    if verb == "prefer":
        return [_fact(f"Prefers {obj}")]
    return [_fact(f"{canonical} {item}") for item in _split_items(obj)]


def _dislike(match: re.Match[str]) -> list[Fact]:
    verb = match.group(1).lower()
    obj = _clean_object(match.group(2))
    if re.match(r"^(?:it|that|this|you|your|them|these|those)\b", obj, _I):
        return []
    canonical = "Hates" if verb in ("hate", "detest", "loathe", "despise") else "Dislikes"
    return [_fact(f"{canonical} {item}") for item in _split_items(obj)]


def _have(match: re.Match[str]) -> list[Fact] | None:
    obj = _clean_object(match.group(1))
    if re.match(r"^to\b|^(?:an? |some |one )?(?:question|problem|issue|idea|request|doubt|query|"
                r"favou?r|quick question|concern|moment|minute|second|feeling|thought|suggestion)s?\b",
                obj, _I):
        return []
    if re.match(r"^(?:been|had|done|seen|visited|lived|worked|always|never|just|already|recently|"
                r"finally|gone|made|got|become|started|stopped|tried|read|watched|played|travel+ed)\b",
                obj, _I):
        return None  # present perfect: rewrite as said
    allergy = re.match(r"^(?:an? |some )?(?:severe |mild |bad )?(.+?) allerg(?:y|ies)$", obj, _I)
    if allergy:
        return [_fact(f"Is allergic to {i}") for i in _split_items(allergy.group(1))]
    allergy = re.match(r"^(?:an? |some )?allerg(?:y|ies) to (.+)$", obj, _I)
    if allergy:
        return [_fact(f"Is allergic to {i}") for i in _split_items(allergy.group(1))]
    intolerance = re.match(r"^(?:an? )?(.+?) intolerance$", obj, _I)
    if intolerance:
        return [_fact(f"Is {intolerance.group(1).lower()} intolerant")]
    none = re.match(r"^no (.+)$", obj, _I)
    if none:
        return [_fact(f"Does not have any {none.group(1)}")]
    return [_fact(f"Has {item}") for item in _split_items(obj, require_determiners=True)]


def _my(match: re.Match[str]) -> list[Fact]:
    """"My X is Y" statements: names of pets and relatives, job, diet, or "X is Y"."""
    what, verb, value = match.group(1).strip(), match.group(2).lower(), _clean_object(match.group(3))
    if not value:
        return []
    lower = what.lower()
    named = re.match(r"^(.+?)(?:'s| s)? name$", lower)
    owner = named.group(1) if named else lower
    if named or re.match(r"^(?:called|named) ", value, _I) or (
        value[:1].isupper() and len(value.split()) <= 3 and lower.split()[-1] in {**_PETS, **_FAMILY}
    ):
        value = re.sub(r"^(?:called|named)\s+", "", value, flags=_I)
        last = owner.split()[-1] if owner.split() else owner
        if last in _PETS or last in _FAMILY:
            return [_fact(f"Has {_article(owner)} {owner} named {value}")]
    if re.fullmatch(r"(?:job|occupation|profession|work|role|position|job title|title)", lower):
        role = re.sub(r"^(?:an?|the)\s+", "", value, flags=_I)
        return _works(role, None, None) if _is_profession(role) else [_fact(f"Job is {value}")]
    if lower in ("diet", "dietary preference"):
        return [_fact(f"Diet is {value}")]
    if lower == "age":
        number = re.match(r"^(\d{1,3})\b", value)
        if number:
            return [_fact(f"Is {int(number.group(1))} years old")]
    if lower in ("home", "hometown", "home town") and verb in ("is", "was"):
        return [_fact(f"Is from {value}")] if lower != "home" else [_fact(f"Lives in {_place(value)}")]
    if len(what.split()) > 4:
        return []
    return [_fact(f"{_capitalise(what)} {verb} {value}")]


def _want(match: re.Match[str]) -> list[Fact]:
    verb, rest = match.group(1).lower(), _clean_object(match.group(2))
    if _request_verb(rest):
        return []
    if verb.startswith(("plan", "intend", "am planning")):
        canonical = "Plans"
    elif verb.startswith(("hope", "aim", "am hoping")):
        canonical = "Hopes"
    else:
        canonical = "Wants"
    return [_fact(f"{canonical} to {rest}")]


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], "list[Fact] | None"]]

_VERB_RULES: tuple[_Rule, ...] = tuple(
    (re.compile(pattern, _I), handler)
    for pattern, handler in (
        (r"^my (?:full |first |real |given )?name is (.+)$", lambda m: _name(m.group(1))),
        (r"^(?:you can |please |just )?call me (.+)$", lambda m: _name(m.group(1))),
        (r"^(?:people|everyone|my friends|friends|everybody) call me (.+)$", lambda m: _name(m.group(1))),
        (r"^I (?:am called|go by|am named) (.+)$", lambda m: _name(m.group(1))),
        (r"^I (?:live|reside) in (.+)$", lambda m: [_fact("Lives in " + _place(m.group(1)))]),
        (r"^I (?:have )?(?:just |recently |finally )?(?:moved|relocated) (?:to|into|in) (.+)$",
         lambda m: [_fact("Lives in " + _place(m.group(1)))]),
        (r"^I grew up in (.+)$", lambda m: [_fact("Grew up in " + _place(m.group(1)))]),
        (r"^I (?:come|am) (?:originally )?from (.+)$", _be_from),
        (r"^I was born (on|in) (.+)$", lambda m: [_fact(f"Was born {m.group(1).lower()} {_clean_object(m.group(2))}")]),
        (r"^my (?:birthday|bday|date of birth) is (?:on )?(.+)$",
         lambda m: [_fact(f"Birthday is on {_clean_object(m.group(1))}")]),
        (r"^I work as (?:an? |the )?(.+?)(?:\s+(at|for|with|in) (.+))?$",
         lambda m: _works(m.group(1), m.group(2), m.group(3))),
        (r"^I work (at|for|in|with) (.+)$", lambda m: _works(None, m.group(1), m.group(2))),
        (r"^I (?:have )?(?:just |recently |finally )?(?:got|started|landed|accepted|took|found|began) "
         r"(?:a |my |the |an )?(?:new )?(?:job|position|role|gig)(?: as (?:an? )?(.+?))?"
         r"(?:\s+(at|with|for|in) (.+))?$",
         lambda m: _works(m.group(1), m.group(2), m.group(3))),
        (r"^I (?:just |recently )?(?:started|began) (?:working|work) (?:as (?:an? )?(.+?))?"
         r"(?:\s*(at|for|with|in) (.+))?$",
         lambda m: _works(m.group(1), m.group(2), m.group(3))),
        (r"^my (?:favou?rite|fave|all[- ]time favou?rite) (.+?) (is|are|was|were) (.+)$",
         lambda m: [_fact(f"Favourite {m.group(1)} {m.group(2).lower()} {_clean_object(m.group(3))}")]),
        (r"^I (?:do not|did not|never) (like|love|enjoy|care for|fancy) (.+)$",
         lambda m: [_fact(f"Dislikes {i}") for i in _split_items(_clean_object(m.group(2)))]),
        (r"^I (hate|dislike|detest|loathe|despise|cannot stand|can not stand|could not stand) (.+)$",
         _dislike),
        (r"^I (would (?:really )?(?:like|love)|want|wish|hope|plan|intend|aim|dream|would prefer) to (.+)$",
         _want),
        (r"^I (like|love|enjoy|adore|prefer|fancy|dig|appreciate) (.+)$", _like),
        (r"^I (?:have|have got|got) (.+)$", _have),
        (r"^I (?:can )?speak (.+)$",
         lambda m: [_fact(f"Speaks {i}") for i in _split_items(_clean_object(m.group(1)))]),
        (r"^I play (.+)$", lambda m: [_fact(f"Plays {i}") for i in _split_items(_clean_object(m.group(1)))]),
        (r"^I (?:do not|never|cannot|can not) (eat|drink) (.+)$",
         lambda m: [_fact(f"Does not {m.group(1).lower()} {_clean_object(m.group(2))}")]),
        (r"^I (eat|drink) (.+)$",
         lambda m: [_fact(f"{m.group(1).capitalize()}s {_clean_object(m.group(2))}")]),
        (r"^I (?:do not|did not) have (.+)$", lambda m: [_fact(f"Does not have {_clean_object(m.group(1))}")]),
        (r"^I want (?!to\b)(.+)$",
         lambda m: [] if re.search(r"\b(?:recipes?|suggestions?|recommendations?|help|ideas?|advice|"
                                   r"answers?|list|summary|tips?|information|info|something|anything|"
                                   r"you|more|to know)\b", m.group(1), _I)
         else [_fact(f"Wants {_clean_object(m.group(1))}")]),
        (r"^my (.+?) (is|are|was|were) (.+)$", _my),
    )
)

_FORGET = re.compile(
    r"^(?:please\s+)?(?:(?:can|could|would|will) you\s+(?:please\s+)?)?(?:you (?:can|should|may)\s+)?"
    r"(?:forget|delete|remove|erase|disregard|ignore|drop|scratch|do not remember|stop remembering|"
    r"unlearn)\s+(?:about\s+)?(?:the fact\s+)?(?:that\s+)?(.+)$",
    _I,
)


def _forget(target: str) -> list[Fact]:
    target = target.strip()
    if re.match(r"^I\b", target):
        return _retract(_parse_clause(target))
    mine = re.match(r"^my (.+)$", target, _I)
    if not mine:
        return []
    what = _clean_object(mine.group(1)).lower()
    words = tokenize(what)
    if not words:
        return []
    special = {
        "name": "name", "birthday": "birthday", "age": "age", "job": "job", "work": "job",
        "occupation": "job", "diet": "diet", "address": "residence", "home": "residence",
        "location": "residence", "city": "residence", "hometown": "origin",
        "relationship status": "relationship", "nationality": "nationality",
    }
    if what in special:
        return [Fact(f"{_capitalise(what)} is known", special[what], True)]
    fav = re.match(r"^favou?rite (.+)$", what)
    if fav:
        return [Fact(f"Favourite {fav.group(1)} is known", "favourite:" + _key(fav.group(1)), True)]
    if words[-1] in _PETS:
        return [Fact(f"Has a {words[-1]}", "pet:" + _PETS[words[-1]], True)]
    if words[-1] in _FAMILY:
        return [Fact(f"Has a {words[-1]}", "family:" + _FAMILY[words[-1]], True)]
    allergies = re.match(r"^(.+?) allerg(?:y|ies)$", what)
    if allergies:
        return _retract(_fact(f"Is allergic to {i}") for i in _split_items(allergies.group(1)))
    return [Fact(f"{_capitalise(what)} is known", "my:" + _key(what), True)]


def _stopped(match: re.Match[str]) -> list[Fact]:
    verb = _ing_to_base(match.group(1))
    rest = match.group(2).strip()
    if verb == "be":
        return _retract(_parse_clause(f"I am {rest}"))
    return _retract(_parse_clause(f"I {verb} {rest}".strip()))


_RETRACTIONS: tuple[_Rule, ...] = tuple(
    (re.compile(pattern, _I), handler)
    for pattern, handler in (
        (r"^I am no longer (.+)$", lambda m: _retract(_parse_clause("I am " + m.group(1)))),
        (r"^I am not (.+?)\s*any ?more$", lambda m: _retract(_parse_clause("I am " + m.group(1)))),
        (r"^I (?:do not|did not|cannot) (.+?)\s*any ?more$", lambda m: _retract(_parse_clause("I " + m.group(1)))),
        (r"^I (?:have )?(?:quit|left|lost) my (?:job|position|role)\b.*$",
         lambda m: [Fact("Works", "job", True)]),
        (r"^I (?:have )?(?:stopped|quit|gave up|give up|given up|am done) (\w+ing)\b(.*)$", _stopped),
        (r"^I no longer (.+)$", lambda m: _retract(_parse_clause("I " + m.group(1)))),
        (r"^my (\w+) (?:died|passed away|passed|ran away|is gone)\b.*$",
         lambda m: [Fact(f"Has a {m.group(1)}", "pet:" + _PETS[m.group(1).lower()], True)]
         if m.group(1).lower() in _PETS else []),
        (r"^I am not (?!a fan\b|really a fan\b|a big fan\b|sure\b|certain\b)(.+)$",
         lambda m: _retract(_parse_be(m.group(1)))),
    )
)

_REMEMBER = re.compile(
    r"^(?:please\s+)?(?:(?:can|could|would|will) you\s+(?:please\s+)?)?(?:remember|note|keep in mind|"
    r"make a note|do not forget|bear in mind|save|store)\s+(?:that\s+)?((?:I|my)\b.+)$",
    _I,
)
_EMBEDDED = re.compile(r"^I (?:think|believe|guess|suppose|feel like|reckon) (?:that )?(I\b.+)$", _I)
_TOGETHER = " \x01 "  # stands for "and" in "my wife and I", so clause splitting keeps it whole
_WITH_SOMEONE = re.compile(r"^my (\w+(?: \w+)?) \x01 I (.+)$", _I)


def _parse_clause(clause: str, greeting: bool = False) -> list[Fact]:
    """Facts stated by one clause (already normalised and free of greetings)."""
    clause = clause.strip(" ,;:-.!\"'")
    if not clause or not re.search(r"[^\W\d_]", clause):
        return []
    forget = _FORGET.match(clause.rstrip("?"))
    if forget:
        return _forget(forget.group(1).rstrip("?"))
    remember = _REMEMBER.match(clause.rstrip("?"))
    if remember:
        return _parse_clause(remember.group(1))
    if clause.endswith("?") or _QUESTION.match(clause) or _COMMAND.match(clause):
        return []
    if len(clause) > _MAX_RULE_CLAUSE:
        rewritten = _rewrite_first_person(clause)
        return [_fact(rewritten)] if rewritten else []
    embedded = _EMBEDDED.match(clause)
    if embedded:
        return _parse_clause(embedded.group(1))
    together = _WITH_SOMEONE.match(clause)
    if together:
        rewritten = _rewrite_first_person("I " + together.group(2))
        return [_fact(f"{rewritten} with their {together.group(1)}")] if rewritten else []
    clause = clause.replace(_TOGETHER, " and ")
    for pattern, handler in _RETRACTIONS:
        match = pattern.match(clause)
        if match:
            return handler(match) or []
    if _REQUEST.match(clause):
        return []
    core = re.sub(rf"^I\s+(?:(?:{_ADVERBS}|do(?=\s+(?:like|love|enjoy|have|live|work|speak|eat)))\s+)+",
                  "I ", clause, flags=_I)
    am = re.match(r"^I am\s+(.+)$", core, _I)
    if am:
        return _parse_be(am.group(1), greeting)
    for pattern, handler in _VERB_RULES:
        match = pattern.match(core)
        if match:
            result = handler(match)
            if result is not None:
                return result
            break
    if re.match(r"^my\s+\w", clause, _I):
        return [_fact(re.sub(r"^my\s+", "", clause, flags=_I))]
    rewritten = _rewrite_first_person(clause)
    return [_fact(rewritten)] if rewritten and content_terms(rewritten) else []


_SENTENCES = re.compile(
    r"(?<=[.!?])(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)\s+|\n+|;\s*|\s+-\s+"
)
_CLAUSES = re.compile(
    r"\s*,?\s+(?:and|but|so|because|although|though|while|plus|and also|since|whereas|and now|"
    r"but now|and then)\s+(?=(?:I|my|me)\b)"
    r"|\s*,\s*(?=(?:I|my|what|how|where|when|who|why|which|can|could|would|do|does|is|are|will|"
    r"please|any)\b)",
    _I,
)
_VERB_CONTINUATION = re.compile(
    rf"\s+and\s+(?:also\s+)?(?=(?:{_FIRST_PERSON_VERBS})\s+\w)", _I
)


def _clauses(sentence: str) -> list[str]:
    out = []
    for part in _CLAUSES.split(sentence):
        pieces = _VERB_CONTINUATION.split(part)
        first = pieces[0]
        out.append(first)
        if re.match(r"^\W*I\b", _INTERJECTION.sub("", first.strip())):
            out.extend("I " + p for p in pieces[1:])
        else:
            out[-1] = part
    return out


# Sentences that say nothing about anyone, whatever their words: requests, thanks, and
# remarks addressed to the listener.
_NOT_A_STATEMENT = re.compile(
    r"^(?:please|tell|give|show|find|recommend|suggest|help|list|describe|explain|let me|let us|"
    r"send|remind|thanks|thank you|you|your|congrat\w*|good luck|sorry|no worries|of course)\b",
    _I,
)


# Chat filler: words that make a remark ("Haha, amazing!", "Big news.") rather than a statement.
_FILLER = frozenset(
    stem(w) for w in _split("""
    haha hahaha lol lmao omg wow yay ugh aw aww ah ahh hmm oops whoa yikes hehe
    amazing awesome great nice cool wonderful fantastic lovely brilliant perfect
    big news good bad true right exactly totally literally seriously honestly wait
    """)
)


def _statement(sentence: str) -> list[Fact]:
    """A sentence no rule understood, kept as said (in the third person) when it states
    something: not a question, request or bare remark, and with two content words or more
    besides chat filler.

    This is what keeps events, plans, dates and relations ("Sofi just turned six last
    week", "The wedding is in Pune in December") that no pattern knows.
    """
    text = _INTERJECTION.sub("", sentence.strip()).strip(" ,;:-.!\"'")
    if (
        not text or sentence.rstrip().endswith("?") or _QUESTION.match(text) or _NOT_A_STATEMENT.match(text)
        or _REQUEST.match(text) or len(set(content_terms(text)) - _FILLER) < 2
    ):
        return []
    return [_fact(text)]


def _extract_message(content: str) -> list[Fact]:
    facts: list[Fact] = []
    text = _normalise(content[:_MAX_MESSAGE_CHARS])
    for sentence in _SENTENCES.split(text):
        sentence = sentence.strip().replace("\x01", " ")
        greeting = bool(re.match(r"^\W*(?:hi|hello|hey|hiya|greetings)\b", sentence, _I))
        sentence = re.sub(r"\b(my \w+(?: \w+)?) and (I)\b", rf"\1{_TOGETHER}\2", sentence, flags=_I)
        clauses = _clauses(sentence)
        found: list[Fact] = []
        for i, clause in enumerate(clauses):
            clause = _INTERJECTION.sub("", clause.strip()).strip()
            if i == len(clauses) - 1 and sentence.endswith("?") and not clause.endswith("?"):
                clause += "?"
            found.extend(_parse_clause(clause, greeting))
        facts.extend(found or _statement(sentence.replace(_TOGETHER, " and ")))
    return facts


# --- includes / excludes / custom instructions --------------------------------------------

_TOPIC_FILLER = frozenset(
    _split("""
    preference preferences info information detail details related relating regarding
    anything everything things stuff topic topics mention mentions data facts fact memories
    memory about any all only user user's their personal-info
    """)
)


def _topic(text: str) -> tuple[dict[str, float], frozenset[str]]:
    words = [w for w in tokenize(text) if w not in _TOPIC_FILLER]
    stripped = " ".join(words)
    if not content_terms(stripped):
        stripped = text
    return expand(content_terms(stripped)), frozenset(query_categories(stripped))


def _relates(fact: Fact, topic: tuple[dict[str, float], frozenset[str]]) -> bool:
    terms, cats = topic
    for term, weight in expand(content_terms(fact.text)).items():
        other = terms.get(term)
        if other is not None and max(weight, other) >= 1.0:
            return True
    return bool(cats.intersection(c for c in categorize(fact.text) if c != "misc"))


_INSTRUCTION_EXCLUDE = re.compile(
    r"(?:do not|don't|never|avoid|stop|no need to)\s+(?:store|storing|remember|remembering|save|"
    r"saving|record|recording|track|tracking|keep|keeping|extract|extracting|include|including|"
    r"capture|capturing|collect|collecting|memori[sz]e|memori[sz]ing|note|noting)\s+(?:any\s+)?(.+)"
    r"|(?:ignore|exclude|skip|omit)\s+(?:any\s+)?(.+)",
    _I,
)
_INSTRUCTION_INCLUDE = re.compile(
    r"(?:only|just|exclusively)\s+(?:store|remember|save|record|track|keep|extract|include|capture|"
    r"collect|memori[sz]e|note)\s+(.+)|focus\s+(?:only\s+|exclusively\s+|solely\s+)?on\s+(.+)",
    _I,
)


def _instructions(text: str) -> tuple[list[str], list[str]]:
    includes: list[str] = []
    excludes: list[str] = []
    for sentence in re.split(r"[.;\n!]+", _normalise(text[:10_000])):
        exclude = _INSTRUCTION_EXCLUDE.search(sentence)
        if exclude:
            excludes.append(exclude.group(1) or exclude.group(2))
            continue
        include = _INSTRUCTION_INCLUDE.search(sentence)
        if include:
            includes.append(include.group(1) or include.group(2))
    return includes, excludes


# What an assistant says about the user, in the second person: "you mentioned you're vegan",
# "You live in Leeds", "Your sister is a nurse". Turned into the user's first person, these
# go through the same rules as the user's own words.
_REPORTED = re.compile(
    r"(?:\byou(?:'ve| have)? (?:mentioned|said|told me|noted|shared|explained|wrote)(?: that)? "
    r"|\b(?:noted|heard|remember|know|see|understand) (?:that )?(?=you))(.+?)"
    r"(?=[.;!?]|,\s*(?:so|but|and then|try|how|what|maybe|perhaps|which|let)\b|$)",
    _I,
)
_SECOND_PERSON_START = re.compile(
    r"^(?:you(?:'re| are| were| have|'ve| had| live| work| love| like| enjoy| prefer| own| hate| moved| just)|your)\b",
    _I,
)
_SECOND_TO_FIRST = (
    (re.compile(r"\byou're\b", _I), "I'm"),
    (re.compile(r"\byou are\b", _I), "I am"),
    (re.compile(r"\byou were\b", _I), "I was"),
    (re.compile(r"\byou've\b", _I), "I've"),
    (re.compile(r"\byourself\b", _I), "myself"),
    (re.compile(r"\byours\b", _I), "mine"),
    (re.compile(r"\byour\b", _I), "my"),
    (re.compile(r"\byou\b", _I), "I"),
)


def _first_person(text: str) -> str:
    for pattern, replacement in _SECOND_TO_FIRST:
        text = pattern.sub(replacement, text)
    return text[:1].upper() + text[1:]


def _about_the_user(assistant_text: str) -> str:
    """The assistant's statements about the user, as the user would say them."""
    found = [_first_person(m.group(1)) for m in _REPORTED.finditer(assistant_text)]
    found += [
        _first_person(sentence.strip())
        for sentence in _SENTENCES.split(assistant_text)
        if _SECOND_PERSON_START.match(sentence.strip())
    ]
    return ". ".join(found)


def extract_facts(
    messages: list[dict[str, Any]],
    *,
    includes: str | None = None,
    excludes: str | None = None,
    custom_instructions: str | None = None,
    roles: Collection[str] = ("user",),
) -> list[Fact]:
    """Facts stated in the messages of `roles` (the user's, by default): deterministic,
    ordered, one per subject.

    A later fact about a subject replaces an earlier one (kept at the first position).
    `includes` keeps only facts related to it, `excludes` drops facts related to it;
    `custom_instructions` are read for "only remember ..." / "do not remember ..." rules.
    """
    by_subject: dict[str, Fact] = {}
    budget = _MAX_TOTAL_CHARS
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, Mapping) or message.get("role") not in roles:
            continue
        content = message.get("content")
        if not isinstance(content, str) or budget <= 0:
            continue
        content = content[:budget]
        budget -= len(content)
        if message.get("role") == "assistant" and (about := _about_the_user(content)):
            content = f"{content}\n{about}"  # after, so what is said of the user wins a subject
        for fact in _extract_message(content):
            by_subject[fact.subject] = fact

    facts = list(by_subject.values())
    keep: list[str] = [includes] if isinstance(includes, str) and includes.strip() else []
    drop: list[str] = [excludes] if isinstance(excludes, str) and excludes.strip() else []
    if isinstance(custom_instructions, str) and custom_instructions.strip():
        more_keep, more_drop = _instructions(custom_instructions)
        keep += more_keep
        drop += more_drop
    if keep:
        topics = [_topic(t) for t in keep]
        facts = [f for f in facts if any(_relates(f, t) for t in topics)]
    if drop:
        topics = [_topic(t) for t in drop]
        facts = [f for f in facts if not any(_relates(f, t) for t in topics)]
    return facts


# --- reconciliation ---------------------------------------------------------------------

_NEGATIVE = re.compile(
    r"^(?:dislikes|hates|detests|loathes|does not|doesn't|did not|is not|isn't|never|cannot|"
    r"can't|no longer|is no longer|avoids)\b",
    _I,
)


def _normalised_text(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.translate(_APOSTROPHES).lower()).split())


def reconcile(facts: list[Fact], existing: list[tuple[str, str]]) -> list[Decision]:
    """Decide ADD / UPDATE / DELETE / NOOP for each fact against the entity's memories.

    Same subject and text: NOOP. Same subject, other text: UPDATE of the first such memory.
    A retraction deletes the memories of its subject that have its polarity ("I no longer
    like X" deletes "Likes X", not "Dislikes X"); retracting nothing does nothing.
    """
    by_subject: dict[str, list[tuple[str, str]]] = {}
    by_text: dict[str, str] = {}
    for memory_id, text in existing:
        by_subject.setdefault(subject_of(text), []).append((memory_id, text))
        by_text.setdefault(_normalised_text(text), memory_id)
    chosen: dict[str, Fact] = {}
    for fact in facts:
        chosen[fact.subject] = fact
    decisions: list[Decision] = []
    touched: set[str] = set()
    for fact in chosen.values():
        same = [(mid, text) for mid, text in by_subject.get(fact.subject, []) if mid not in touched]
        if fact.retraction:
            negative = bool(_NEGATIVE.match(fact.text))
            for memory_id, text in same:
                if bool(_NEGATIVE.match(text)) == negative:
                    decisions.append(Decision("DELETE", text, memory_id))
                    touched.add(memory_id)
            continue
        wanted = _normalised_text(fact.text)
        duplicate = next((mid for mid, text in same if _normalised_text(text) == wanted), None)
        if duplicate is None and by_text.get(wanted) not in (None, *touched):
            duplicate = by_text[wanted]
        if duplicate is not None:
            decisions.append(Decision("NOOP", next(t for m, t in existing if m == duplicate), duplicate))
            touched.add(duplicate)
        elif same:
            decisions.append(Decision("UPDATE", fact.text, same[0][0]))
            touched.add(same[0][0])
        else:
            decisions.append(Decision("ADD", fact.text, None))
    return decisions
