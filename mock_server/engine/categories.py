"""Memory categories: the platform's default catalogue and a deterministic classifier.

The real service asks an LLM which categories a memory belongs to. The mock uses cue
lexicons instead (one list of telling words per default category, matched on stems), and
for a caller's `custom_categories` the overlap between the memory's terms (with related
terms) and the words of each category's name and description. The result is stable for a
given text, which is what tests and filters on `categories` need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from .text import RELATED_WEIGHT, content_terms, expand, shared, stem

__all__ = ["CUES", "DEFAULT_CATEGORIES", "catalogue_from", "categorize", "query_categories"]

DEFAULT_CATEGORIES: dict[str, str] = {
    "personal_details": "Personal information: name, age, location, contact details, background",
    "family": "Family members, partners, children, pets and relationships",
    "professional_details": "Job, employer, career, skills, education and work life",
    "sports": "Sports played or followed, teams, fitness activities and exercise",
    "travel": "Trips, destinations, travel plans and travel preferences",
    "food": "Food and drink, diet, cuisines, cooking and eating habits",
    "music": "Music tastes, artists, genres, instruments and concerts",
    "health": "Health conditions, allergies, medication, wellbeing and sleep",
    "technology": "Devices, software, programming and technology use",
    "hobbies": "Hobbies, pastimes, interests and leisure activities",
    "fashion": "Clothing, style, colours, brands and shopping habits",
    "entertainment": "Movies, TV shows, books, games, podcasts and events",
    "milestones": "Life events and achievements: birthdays, graduations, weddings, moves",
    "user_preferences": "Likes, dislikes and preferences about how things are done",
    "misc": "Anything that fits no other category",
}

_CUE_WORDS: dict[str, str] = {
    "personal_details": """
        name nickname age old live lives living reside resident residence address hometown
        born grew from city apartment house home neighborhood neighbourhood suburb downtown
        email phone contact nationality citizen language speak speaks fluent native bilingual
        identity gender pronoun height tall handed introvert extrovert
        personal background
    """,
    "family": """
        family mother father mom mum dad parent parents sister brother sibling siblings son
        daughter child children kid kids baby toddler wife husband spouse partner married
        marriage engaged fiance fiancee girlfriend boyfriend single divorced widowed grandma
        grandpa grandmother grandfather grandparent aunt uncle cousin niece nephew
        pet pets dog cat puppy kitten parrot rabbit hamster retriever beagle corgi collie
        tabby relative relatives household
    """,
    "professional_details": """
        work works working job career employer employee company office colleague coworker
        boss manager team lead leads profession occupation engineer developer designer
        scientist analyst teacher nurse doctor lawyer accountant consultant architect
        programmer researcher professor student intern freelance freelancer startup business
        client clients salary promotion interview resume certification certified project
        projects meeting deadline remote commute commutes hired hiring retired retirement
        industry skills expertise professional employed unemployed
    """,
    "sports": """
        sport sports tennis soccer football basketball baseball golf volleyball badminton
        squash pickleball hockey rugby cricket frisbee marathon run runs running jog jogging
        gym workout workouts swim swimming cycling bike biking climb climbing boulder yoga
        pilates ski skiing snowboard surf surfing hike hiking trek athlete team league match
        race training fitness exercise kilometers miles coach tournament stadium athletic
    """,
    "travel": """
        travel travels traveling travelling trip trips vacation holiday holidays journey tour
        visit visited visiting abroad flight flights fly flying airline airport layover
        window aisle seat hotel hotels hostel hostels resort airbnb passport visa booking
        destination itinerary beach cruise backpacking sightseeing country countries
        overseas frequent flyer
    """,
    "food": """
        food foods eat eats eating ate meal meals dinner lunch breakfast brunch supper snack
        cook cooking cooks recipe recipes dish dishes cuisine kitchen bake baking chef
        restaurant restaurants vegetarian vegan pescatarian veggie meat steak beef pork
        chicken fish seafood shellfish sushi pizza pasta salad curry risotto ramen tofu
        nut nuts peanut peanuts almond gluten dairy lactose milk cheese egg eggs soy dessert
        sugar chocolate fruit vegetable vegetables spicy coffee tea latte matcha smoothie
        wine beer alcohol drink drinks cocktail diet calorie calories grocery groceries
        ingredient ingredients flavour flavor cilantro garlic onion dietary culinary nutrition
        breakfast burrito taco falafel paneer lasagna noodles
    """,
    "music": """
        music song songs band bands album albums artist concert concerts gig festival
        playlist playlists listen listens listening jazz rock pop classical hiphop
        rap folk indie electronica synthwave bossa guitar piano violin drums cello
        ukulele saxophone flute trumpet bass instrument singer sing sings singing choir
        musician musical spotify vinyl opera lessons
    """,
    "health": """
        health healthy allergic allergy allergies allergen intolerant intolerance diabetes
        diabetic asthma blood pressure migraine migraines anxiety depression eczema
        condition illness sick disease injury injured sprained broken recovering recovery
        surgery doctor hospital clinic therapy therapist medication medicine prescription
        pill pills supplement supplements vitamin vitamins magnesium probiotics sleep sleeps
        insomnia meditate meditates meditation stress pain pregnant pregnancy wellbeing
        wellness mental symptoms penicillin pollen
    """,
    "technology": """
        technology tech computer computers laptop phone smartphone iphone android pixel
        samsung software hardware app apps code codes coding program programming developer
        python typescript javascript java rust kotlin golang linux macos windows framework
        react django flask fastapi gadget gadgets device devices internet website online
        ai robot keyboard headphones tablet ipad smartwatch console mode interface version
        database cloud server
    """,
    "hobbies": """
        hobby hobbies pastime interest interests leisure free enjoys collect collects
        collecting collection garden gardening grows plant plants knit knitting sew sewing
        crochet craft crafts paint painting draw drawing photography photo photos chess
        puzzle puzzles boardgame volunteer volunteers volunteering reading read
        book books writing write journaling journal hiking hike fishing camping dance
        dancing woodworking pottery baking lego origami birdwatching stamps coins play plays
    """,
    "fashion": """
        fashion style clothes clothing outfit outfits wear wears wearing dress dresses shirt
        jeans jacket coat sweater shoes shoe sneakers boots size sizes color colour colors
        colours brand brands designer vintage minimalist accessory accessories
        jewelry jewellery necklace scarf hat shops shopping store boutique makeup skincare
    """,
    "entertainment": """
        movie movies film films cinema show shows series tv television netflix binge
        episode episodes documentary documentaries book books novel novels
        podcast podcasts game games video gaming videogame theater theatre comedy
        anime cartoon actor actress director streaming horror thriller scifi fantasy
        romance drama entertainment
    """,
    "milestones": """
        birthday anniversary graduated graduation graduate wedding married engaged
        promoted promotion retired retirement bought first moved born baby newborn
        achievement milestone finished completed won award passed celebrate celebrated
        started founded launched
    """,
    "user_preferences": """
        prefer prefers preferred preference preferences like likes love loves enjoy enjoys
        favorite favourite dislike dislikes hate hates fan adore avoid avoids rather
        vegetarian vegan concise detailed explanations answers tone format units metric
        imperial contacted contact morning night owl person style
    """,
}


def _split_words(words: str) -> list[str]:
    return words.split()


def _stem_set(words: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words.split())


# Category -> stems that suggest it. Membership tests only, so set order never leaks out.
CUES: dict[str, frozenset[str]] = {name: _stem_set(words) for name, words in _CUE_WORDS.items()}


def _default_scores(terms: Iterable[str]) -> dict[str, float]:
    counts = dict.fromkeys(DEFAULT_CATEGORIES, 0.0)
    for term in dict.fromkeys(terms):
        for name, cues in CUES.items():
            if term in cues:
                counts[name] += 1.0
    return counts


def _ranked(scores: Mapping[str, float], limit: int) -> list[str]:
    order = {name: i for i, name in enumerate(scores)}
    hits = [name for name, score in scores.items() if score > 0]
    hits.sort(key=lambda name: (-scores[name], order[name]))
    return hits[:limit]


@lru_cache(maxsize=16384)
def _categorize_default(text: str) -> tuple[str, ...]:
    ranked = _ranked(_default_scores(content_terms(text)), 3)
    return tuple(ranked) or ("misc",)


@lru_cache(maxsize=256)
def _catalogue_terms(name: str, description: str) -> tuple[tuple[str, float], ...]:
    words = f"{name.replace('_', ' ').replace('-', ' ')} {description}"
    return tuple(expand(content_terms(words)).items())


def _categorize_custom(text: str, catalogue: Mapping[str, str]) -> list[str]:
    text_terms = expand(content_terms(text))
    text_defaults = set(_categorize_default(text)) - {"misc"}
    scores: dict[str, float] = {}
    for name, description in catalogue.items():
        desc = description if isinstance(description, str) else ""
        score = 0.0
        for term, weight in _catalogue_terms(str(name), desc):
            mine = text_terms.get(term)
            if mine is not None:
                score += mine * weight
        # The default categories bridge words the lexicon does not relate directly:
        # "Is allergic to nuts" and a category described as "medical information".
        common = text_defaults & set(query_categories(f"{name} {desc}"))
        score += RELATED_WEIGHT * len(common)
        scores[str(name)] = score
    best = _ranked({k: v for k, v in scores.items() if v >= RELATED_WEIGHT}, 3)
    if best:
        return best
    positive = _ranked(scores, 1)
    return positive or [str(next(iter(catalogue)))]


def categorize(text: str, catalogue: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Categories of a stored memory: never empty (`misc`, or the first custom name); one
    tuple shared by every memory filed alike."""
    if catalogue:
        return shared(_categorize_custom(text, catalogue))
    return shared(_categorize_default(text))


# Cues that help file a memory but mislead about a question ("movie night" is not about
# user_preferences, though "Is a night owl" is).
_WEAK_QUERY_CUES = frozenset(
    stem(w) for w in _split_words(
        "night morning person owl first started finished completed passed won free team lead leads"
        " style format tone answers units detailed concise explanations size window aisle seat"
        " rather avoid avoids bought"
    )
)


@lru_cache(maxsize=4096)
def _query_categories(text: str) -> tuple[str, ...]:
    terms = [t for t in content_terms(text) if t not in _WEAK_QUERY_CUES]
    return tuple(_ranked(_default_scores(terms), 3))


def query_categories(text: str) -> list[str]:
    """Default categories a question is about; empty when nothing points anywhere."""
    return list(_query_categories(text))


def catalogue_from(custom_categories: Any) -> dict[str, str] | None:
    """`custom_categories` as name -> description, from either documented form (a list of
    one-key objects, or one object), or a list of names of default categories."""
    if not custom_categories:
        return None
    items = custom_categories if isinstance(custom_categories, list) else [custom_categories]
    catalogue: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict):
            catalogue.update({str(k): str(v) for k, v in item.items()})
        elif isinstance(item, str):
            catalogue[item] = DEFAULT_CATEGORIES.get(item, item)
    return catalogue or None
