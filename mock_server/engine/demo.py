"""Seeded, repeatable demo data for the mock server (`mem0-mock --demo`) and benchmarks.

Faker is called only while building value pools (once per seed, cached); every memory is
then assembled from those pools with a seeded `random.Random`, so the same seed always
gives byte-identical output and `generate_bulk` stays fast. This module deliberately
imports nothing from flask or the rest of `mock_server`, so it can be used standalone.
"""

from __future__ import annotations

import calendar
import random
import re
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from faker import Faker

__all__ = [
    "AGENT_PROFILES",
    "APP_NAMES",
    "APP_TEMPLATES",
    "CATEGORIES",
    "DEFAULT_NOW",
    "EXCLUSIVE_GROUPS",
    "QUICK_START",
    "TEMPLATES",
    "DemoMemory",
    "generate_bulk",
    "generate_demo",
]


@dataclass(frozen=True)
class DemoMemory:
    """One memory to load into the store; entity ids follow the Memory object's fields."""

    text: str
    user_id: str | None
    agent_id: str | None
    app_id: str | None
    run_id: str | None
    metadata: dict | None
    created_at: datetime
    expiration_date: str | None
    immutable: bool


# Fixed so that output does not depend on the wall clock.
DEFAULT_NOW = datetime(2025, 9, 14, 12, 0, 0, tzinfo=timezone.utc)
SPAN_SECONDS = 548 * 86400  # ~18 months of history

CATEGORIES: tuple[str, ...] = (
    "personal_details", "family", "professional_details", "sports", "travel", "food", "music",
    "health", "technology", "hobbies", "fashion", "entertainment", "milestones",
    "user_preferences", "misc",
)

# (category, template). Placeholders are pool names; most are fixed per user (see
# FREE_KEYS) so that e.g. every "{city}" of one user is the same city.
TEMPLATES: list[tuple[str, str]] = [
    # personal_details
    ("personal_details", "Name is {first}"),
    ("personal_details", "Lives in {city}"),
    ("personal_details", "Grew up in {hometown}"),
    ("personal_details", "Speaks {language} fluently"),
    ("personal_details", "Is {age} years old"),
    ("personal_details", "Lives in an apartment downtown"),
    ("personal_details", "Lives in a house in the suburbs"),
    ("personal_details", "Is left-handed"),
    # family
    ("family", "Is married to {partner}"),
    ("family", "Is engaged to {partner}"),
    ("family", "Is single"),
    ("family", "Has two kids, {kid1} and {kid2}"),
    ("family", "Has a daughter named {kid1}"),
    ("family", "Does not have children"),
    ("family", "Has a {pet} named {pet_name}"),
    ("family", "Does not have any pets"),
    ("family", "Has a younger brother named {sibling}"),
    ("family", "Is an only child"),
    ("family", "Visits family in {hometown} every {holiday}"),
    # professional_details
    ("professional_details", "Works as {job} at {company}"),
    ("professional_details", "Has been at {company} for {years} years"),
    ("professional_details", "Leads a team of {team_size} people"),
    ("professional_details", "Works remotely {remote_days} days a week"),
    ("professional_details", "Is preparing for the {cert} certification"),
    ("professional_details", "Commutes to work by {commute}"),
    # sports
    ("sports", "Plays {sport} on weekends"),
    ("sports", "Runs {distance} kilometers every {weekday}"),
    ("sports", "Is a big fan of the {team}"),
    ("sports", "Is training for the {marathon_city} marathon"),
    ("sports", "Goes to the gym {gym_days} times a week"),
    ("sports", "Practices yoga every morning"),
    # travel
    ("travel", "Planning a trip to {country} in {month}"),
    ("travel", "Visited {country} last year"),
    ("travel", "Prefers window seats on flights"),
    ("travel", "Prefers aisle seats on flights"),
    ("travel", "Prefers boutique hotels over large chains"),
    ("travel", "Usually stays in hostels to save money"),
    ("travel", "Has been to {countries_visited} countries"),
    ("travel", "Has a frequent flyer membership with {airline}"),
    # food
    ("food", "Is a vegetarian"),
    ("food", "Is vegan"),
    ("food", "Follows a pescatarian diet"),
    ("food", "Loves steak, especially {steak_cut}"),
    ("food", "Loves {cuisine} food"),
    ("food", "Favorite dish is {dish}"),
    ("food", "Does not drink alcohol"),
    ("food", "Enjoys a glass of {wine} with dinner"),
    ("food", "Drinks {morning_drink} every morning"),
    ("food", "Is trying to cut down on sugar"),
    # music
    ("music", "Loves jazz, especially {jazz_artist}"),
    ("music", "Plays the {instrument}"),
    ("music", "Takes {instrument} lessons every {weekday}"),
    ("music", "Listens to {genre} while working"),
    ("music", "Saw {band} live in {concert_city}"),
    # health
    ("health", "Is allergic to {allergen}"),
    ("health", "Has {condition}"),
    ("health", "Sleeps about {sleep_hours} hours a night"),
    ("health", "Takes {supplement} daily"),
    ("health", "Is recovering from a {injury}"),
    ("health", "Meditates for {minutes} minutes each day"),
    # technology
    ("technology", "Uses {phone} as their main phone"),
    ("technology", "Codes mostly in {prog_lang}"),
    ("technology", "Prefers {os} for work"),
    ("technology", "Is building a side project with {framework}"),
    ("technology", "Owns a {gadget}"),
    # hobbies
    ("hobbies", "Enjoys {hobby} in their free time"),
    ("hobbies", "Is reading a book about {topic}"),
    ("hobbies", "Collects {collectible}"),
    ("hobbies", "Volunteers at the local {volunteer_place} on Saturdays"),
    ("hobbies", "Plays {board_game} with friends every {weekday}"),
    ("hobbies", "Grows {plant} on the balcony"),
    # fashion
    ("fashion", "Favorite color is {color}"),
    ("fashion", "Prefers {style} clothing"),
    ("fashion", "Wears size {shoe_size} shoes"),
    ("fashion", "Shops mostly at {store}"),
    ("fashion", "Always wears a {accessory}"),
    # entertainment
    ("entertainment", "Favorite movie is {movie}"),
    ("entertainment", "Is binge-watching {show}"),
    ("entertainment", "Enjoys {film_genre} movies"),
    ("entertainment", "Listens to the {podcast} podcast"),
    ("entertainment", "Plays {video_game} in the evenings"),
    # milestones
    ("milestones", "Birthday is on {birthday}"),
    ("milestones", "Graduated from {university} in {grad_year}"),
    ("milestones", "Moved to {city} in {move_year}"),
    ("milestones", "Bought a first home in {home_year}"),
    ("milestones", "Finished a first marathon in {marathon_year}"),
    # user_preferences
    ("user_preferences", "Prefers {preference}"),
    ("user_preferences", "Prefers email over phone calls"),
    ("user_preferences", "Prefers phone calls over email"),
    ("user_preferences", "Likes concise answers"),
    ("user_preferences", "Likes detailed explanations with examples"),
    ("user_preferences", "Prefers metric units"),
    ("user_preferences", "Prefers imperial units"),
    ("user_preferences", "Is a morning person"),
    ("user_preferences", "Is a night owl"),
    ("user_preferences", "Prefers to be contacted in the {time_of_day}"),
    # misc
    ("misc", "Is saving up for {big_purchase}"),
    ("misc", "Drives a {car}"),
    ("misc", "Does not own a car"),
    ("misc", "Recently started journaling"),
    ("misc", "Keeps a to-do list in a paper notebook"),
]

# Templates that contradict each other: a user holds at most one member of each group
# (chosen once per user), so nobody is both "Is a vegetarian" and "Loves steak".
EXCLUSIVE_GROUPS: list[tuple[str, ...]] = [
    ("Is a vegetarian", "Is vegan", "Follows a pescatarian diet", "Loves steak, especially {steak_cut}"),
    ("Does not drink alcohol", "Enjoys a glass of {wine} with dinner"),
    ("Is married to {partner}", "Is engaged to {partner}", "Is single"),
    ("Has two kids, {kid1} and {kid2}", "Has a daughter named {kid1}", "Does not have children"),
    ("Has a {pet} named {pet_name}", "Does not have any pets"),
    ("Has a younger brother named {sibling}", "Is an only child"),
    ("Lives in an apartment downtown", "Lives in a house in the suburbs"),
    ("Prefers window seats on flights", "Prefers aisle seats on flights"),
    ("Prefers boutique hotels over large chains", "Usually stays in hostels to save money"),
    ("Prefers email over phone calls", "Prefers phone calls over email"),
    ("Likes concise answers", "Likes detailed explanations with examples"),
    ("Prefers metric units", "Prefers imperial units"),
    ("Is a morning person", "Is a night owl"),
    ("Drives a {car}", "Does not own a car"),
    ("Commutes to work by {commute}", "Works remotely {remote_days} days a week"),
]

# Placeholders drawn afresh for every memory; all others are fixed per user.
FREE_KEYS = frozenset({
    "country", "month", "cuisine", "dish", "band", "concert_city", "genre", "topic", "hobby",
    "collectible", "board_game", "plant", "movie", "show", "film_genre", "podcast",
    "video_game", "preference", "gadget", "weekday", "accessory", "store",
})

# The quick-start memories of user "alex" (docs' first example), always present.
QUICK_START: tuple[str, ...] = ("Name is Alex", "Is a vegetarian", "Is allergic to nuts")
_QUICK_START_TEMPLATES = ("Name is {first}", "Is a vegetarian", "Is allergic to {allergen}")

# (agent_id, categories the agent handles, agent-only facts as (category, text)).
AGENT_PROFILES: list[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]] = [
    ("travel-agent", ("travel",), (
        ("travel", "Suggests flights with at most one layover"),
        ("travel", "Checks visa requirements before booking"),
        ("user_preferences", "Quotes prices in the traveller's home currency"),
        ("misc", "Hands refund requests over to a human agent"),
    )),
    ("support-agent", ("technology", "misc"), (
        ("technology", "Asks for the app version before troubleshooting"),
        ("misc", "Opens a ticket for every unresolved issue"),
        ("user_preferences", "Answers in a friendly, concise tone"),
        ("technology", "Links to the help center article when one exists"),
    )),
    ("fitness-coach", ("sports", "health"), (
        ("sports", "Plans workouts in four-week blocks"),
        ("health", "Recommends a rest day after every hard session"),
        ("health", "Does not give medical advice"),
        ("sports", "Tracks progress with weekly check-ins"),
    )),
    ("shopping-assistant", ("fashion",), (
        ("fashion", "Suggests outfits based on the weather forecast"),
        ("fashion", "Checks size availability before recommending items"),
        ("user_preferences", "Shows the cheapest option first"),
        ("misc", "Mentions free return windows"),
    )),
    ("recipe-bot", ("food",), (
        ("food", "Scales recipes to the number of servings asked for"),
        ("food", "Flags common allergens in every recipe"),
        ("user_preferences", "Gives metric and imperial measurements"),
        ("food", "Suggests a substitute for missing ingredients"),
    )),
    ("music-curator", ("music", "entertainment"), (
        ("music", "Builds playlists of about two hours"),
        ("entertainment", "Avoids spoilers when recommending shows"),
        ("music", "Mixes familiar favorites with new artists"),
        ("entertainment", "Checks streaming availability by region"),
    )),
    ("career-coach", ("professional_details", "milestones"), (
        ("professional_details", "Reviews resumes against the job description"),
        ("milestones", "Celebrates offers and promotions with the user"),
        ("professional_details", "Runs mock interviews on request"),
        ("user_preferences", "Gives feedback as bullet points"),
    )),
    ("study-buddy", ("hobbies", "personal_details", "family"), (
        ("hobbies", "Uses spaced repetition for vocabulary"),
        ("misc", "Sends a short quiz at the end of each session"),
        ("user_preferences", "Explains concepts with everyday examples"),
        ("hobbies", "Recommends books for further reading"),
    )),
]
AGENT_FACTS_PER_AGENT = 3

APP_NAMES: tuple[str, ...] = (
    "web-app", "mobile-app", "slack-bot", "desktop-app", "browser-extension", "voice-assistant",
)
APP_TEMPLATES: list[tuple[str, str]] = [
    ("user_preferences", "Default interface language is {ui_language}"),
    ("misc", "Sends a weekly summary every {weekday}"),
    ("technology", "Dark mode is enabled by default"),
    ("technology", "Signs users out after {idle_minutes} minutes of inactivity"),
    ("user_preferences", "Shows dates in {date_format} format"),
]
APP_FACTS_PER_APP = 2

# Hand-written pools (faker has no providers for these).
_STATIC_POOLS: dict[str, tuple[str, ...]] = {
    "pet": ("dog", "cat", "golden retriever", "beagle", "parrot", "rabbit", "corgi", "tabby cat",
            "hamster", "border collie"),
    "pet_name": ("Max", "Luna", "Bella", "Charlie", "Milo", "Daisy", "Oliver", "Pepper",
                 "Biscuit", "Mochi", "Rocky", "Nala", "Ziggy", "Olive", "Buster", "Coco"),
    "allergen": ("nuts", "peanuts", "shellfish", "gluten", "dairy", "eggs", "soy", "pollen",
                 "penicillin", "cats", "dust mites", "bee stings"),
    "holiday": ("Christmas", "Thanksgiving", "Easter", "summer", "New Year", "Diwali",
                "Lunar New Year", "Eid"),
    "cert": ("AWS Solutions Architect", "PMP", "CFA Level II", "CPA", "Scrum Master",
             "Google Cloud Professional", "CISSP", "Six Sigma Green Belt"),
    "commute": ("bike", "train", "bus", "car", "subway", "ferry", "scooter"),
    "sport": ("tennis", "soccer", "basketball", "golf", "volleyball", "badminton", "squash",
              "pickleball", "table tennis", "ultimate frisbee", "baseball", "hockey"),
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "team_mascot": ("Tigers", "Hawks", "Rovers", "Lions", "Comets", "Pirates", "Wolves",
                    "Falcons", "Bears", "Mariners"),
    "marathon_city": ("Boston", "Berlin", "Chicago", "London", "New York", "Tokyo", "Paris",
                      "Sydney", "Amsterdam", "Valencia"),
    "steak_cut": ("ribeye", "filet mignon", "T-bone", "sirloin", "New York strip"),
    "cuisine": ("Italian", "Thai", "Mexican", "Japanese", "Indian", "Ethiopian", "Greek",
                "Korean", "Vietnamese", "Lebanese", "Spanish", "Peruvian"),
    "dish": ("mushroom risotto", "margherita pizza", "vegetable curry", "falafel wraps",
             "pasta primavera", "paneer tikka", "veggie ramen", "spinach lasagna",
             "chana masala", "caprese salad", "bean burritos", "pad see ew with tofu"),
    "wine": ("pinot noir", "chardonnay", "riesling", "malbec", "sauvignon blanc", "rosé"),
    "morning_drink": ("green tea", "black coffee", "an oat milk latte", "a fruit smoothie",
                      "matcha", "a flat white", "hot water with lemon"),
    "jazz_artist": ("Miles Davis", "John Coltrane", "Ella Fitzgerald", "Nina Simone",
                    "Herbie Hancock", "Thelonious Monk", "Chet Baker", "Billie Holiday"),
    "instrument": ("guitar", "piano", "violin", "drums", "cello", "ukulele", "saxophone",
                   "bass guitar", "flute", "trumpet"),
    "genre": ("lo-fi hip hop", "classical music", "indie rock", "ambient electronica",
              "bossa nova", "synthwave", "film scores", "folk"),
    "band": ("Coldplay", "Radiohead", "Taylor Swift", "Arctic Monkeys", "Beyoncé",
             "Tame Impala", "Fleetwood Mac", "Daft Punk", "Adele", "The National"),
    "concert_city": ("Austin", "London", "Berlin", "Chicago", "Los Angeles", "Toronto",
                     "Seattle", "Melbourne", "Dublin", "Mexico City"),
    "condition": ("asthma", "type 2 diabetes", "high blood pressure", "migraines",
                  "lactose intolerance", "mild anxiety", "seasonal allergies", "eczema"),
    "sleep_hours": ("six", "six and a half", "seven", "seven and a half", "eight"),
    "supplement": ("vitamin D", "magnesium", "omega-3", "iron supplements", "a multivitamin",
                   "probiotics", "B12"),
    "injury": ("sprained ankle", "knee injury", "broken wrist", "shoulder strain",
               "pulled hamstring", "back injury"),
    "minutes": ("10", "15", "20", "30"),
    "phone": ("an iPhone", "a Pixel", "a Samsung Galaxy", "a OnePlus", "a Fairphone"),
    "prog_lang": ("Python", "TypeScript", "Go", "Rust", "Java", "Kotlin", "C#", "Swift"),
    "os": ("Linux", "macOS", "Windows"),
    "framework": ("React", "Django", "Flask", "Next.js", "FastAPI", "Svelte", "Rails",
                  "Flutter"),
    "gadget": ("Kindle", "Steam Deck", "standing desk", "mechanical keyboard", "smartwatch",
               "3D printer", "drone", "pair of noise-cancelling headphones"),
    "hobby": ("hiking", "painting", "photography", "rock climbing", "baking", "knitting",
              "birdwatching", "woodworking", "gardening", "pottery", "chess", "cycling"),
    "topic": ("Roman history", "behavioral economics", "astronomy", "stoic philosophy",
              "urban design", "the history of jazz", "productivity", "marine biology",
              "leadership", "mountaineering"),
    "collectible": ("vinyl records", "vintage cameras", "stamps", "comic books",
                    "fountain pens", "board games", "postcards", "sneakers"),
    "volunteer_place": ("animal shelter", "food bank", "library", "community garden",
                        "youth center"),
    "board_game": ("Catan", "Ticket to Ride", "Codenames", "Pandemic", "Wingspan", "poker",
                   "Dungeons & Dragons", "Carcassonne"),
    "plant": ("tomatoes", "basil", "chili peppers", "succulents", "strawberries", "lavender"),
    "style": ("casual", "minimalist", "vintage", "streetwear", "business casual",
              "outdoor", "preppy"),
    "shoe_size": ("6", "7", "8", "8.5", "9", "9.5", "10", "10.5", "11", "12"),
    "store": ("thrift stores", "Uniqlo", "Zara", "Patagonia", "local boutiques",
              "online retailers", "H&M", "Nordstrom"),
    "accessory": ("silver ring", "wristwatch", "baseball cap", "scarf", "pair of round glasses",
                  "leather bracelet"),
    "movie": ("Inception", "Spirited Away", "The Godfather", "Parasite", "Amélie",
              "Interstellar", "La La Land", "The Grand Budapest Hotel", "Arrival",
              "Everything Everywhere All at Once", "Casablanca", "Mad Max: Fury Road"),
    "show": ("The Bear", "Severance", "Succession", "Breaking Bad", "The Office",
             "Stranger Things", "Ted Lasso", "The Crown", "Shōgun", "Abbott Elementary"),
    "film_genre": ("sci-fi", "horror", "romantic comedy", "documentary", "thriller",
                   "animated", "action", "period drama"),
    "podcast": ("Hardcore History", "Radiolab", "The Daily", "99% Invisible",
                "Freakonomics Radio", "Planet Money", "Hidden Brain", "Reply All"),
    "video_game": ("Zelda", "Minecraft", "Stardew Valley", "Elden Ring", "FIFA", "Tetris",
                   "Hades", "Mario Kart"),
    "university": ("State University", "City College", "the University of Michigan",
                   "UC Berkeley", "Georgia Tech", "NYU", "the University of Toronto",
                   "Imperial College London", "TU Munich", "McGill University"),
    "preference": ("tea over coffee", "coffee over tea", "mountains over beaches",
                   "beaches over mountains", "cats over dogs", "dogs over cats",
                   "books over movies", "movies over books", "summer over winter",
                   "winter over summer", "cooking at home over eating out",
                   "eating out over cooking at home", "trains over planes",
                   "planes over trains", "podcasts over audiobooks",
                   "audiobooks over podcasts"),
    "time_of_day": ("morning", "afternoon", "evening"),
    "big_purchase": ("a new car", "a house deposit", "a trip around the world", "a new laptop",
                     "a wedding", "a sailboat", "an e-bike"),
    "car": ("Toyota Prius", "Tesla Model 3", "Honda Civic", "Subaru Outback", "Volkswagen Golf",
            "Ford F-150", "Mini Cooper", "Kia EV6"),
    "ui_language": ("English", "Spanish", "German", "French", "Japanese", "Portuguese"),
    "idle_minutes": ("15", "30", "60"),
    "date_format": ("ISO 8601", "US", "European"),
}

_MONTHS = tuple(calendar.month_name[1:])
_FORMATTER = string.Formatter()
_TEMPLATE_FIELDS: tuple[tuple[str, ...], ...] = tuple(
    tuple(f for _, f, _, _ in _FORMATTER.parse(t) if f) for _, t in TEMPLATES
)
_TEMPLATE_INDEX = {t: i for i, (_, t) in enumerate(TEMPLATES)}
_GROUP_OF: dict[int, int] = {
    _TEMPLATE_INDEX[t]: g for g, members in enumerate(EXCLUSIVE_GROUPS) for t in members
}
_SOURCES = ("chat", "email", "onboarding", "import", "voice", "support-ticket")
_PRIORITIES = ("low", "medium", "high")


def _slug(text: str) -> str:
    """ASCII, lowercase, dash-separated: entity ids must be URL- and shell-friendly."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "user"


def _job_phrase(job: str) -> str | None:
    """Faker jobs like 'Engineer, mining (oil)' read badly in a sentence; keep simple ones."""
    if any(c in job for c in ",()/"):
        return None
    words = [w if w.isupper() and len(w) > 1 else w.lower() for w in job.split()]
    phrase = " ".join(words)
    return ("an " if phrase[0] in "aeiou" else "a ") + phrase


def _uniq(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


@lru_cache(maxsize=8)
def _pools(seed: int) -> dict[str, tuple[str, ...]]:
    """All faker-derived value pools for one seed; faker is never called per memory."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    pools = dict(_STATIC_POOLS)
    pools["first"] = _uniq([fake.first_name() for _ in range(400)])
    pools["last"] = _uniq([fake.last_name() for _ in range(400)])
    pools["city"] = _uniq([fake.city() for _ in range(200)])
    pools["country"] = _uniq([c for c in (fake.country() for _ in range(300)) if "(" not in c
                              and "," not in c and len(c) < 25])
    pools["company"] = _uniq([fake.company() for _ in range(200)])
    pools["job"] = _uniq([_job_phrase(fake.job()) for _ in range(600)])
    pools["language"] = _uniq([lang for lang in (fake.language_name() for _ in range(200))
                               if "," not in lang])
    pools["color"] = _uniq([re.sub(r"(?<!^)(?=[A-Z])", " ", fake.color_name()).lower()
                            for _ in range(100)])
    pools["airline"] = _uniq([f"{fake.last_name()} Airways" for _ in range(40)])
    pools["team_city"] = _uniq([fake.city() for _ in range(60)])
    birthdays = [fake.date_of_birth(minimum_age=18, maximum_age=75) for _ in range(366)]
    pools["birthday"] = _uniq([f"{d:%B} {d.day}" for d in birthdays])
    return pools


def _profile(rng: random.Random, pools: dict[str, tuple[str, ...]], first: str, last: str,
             now_year: int) -> dict:
    """Per-user fixed values, so one user's memories agree with each other."""
    c = rng.choice
    age = rng.randint(19, 72)
    grad_year = now_year - age + rng.randint(21, 25)
    kids = rng.sample(pools["first"], 2)
    return {
        "first": first,
        "last": last,
        "city": c(pools["city"]),
        "hometown": c(pools["city"]),
        "language": c(pools["language"]),
        "age": str(age),
        "partner": c(pools["first"]),
        "kid1": kids[0],
        "kid2": kids[1],
        "pet": c(pools["pet"]),
        "pet_name": c(pools["pet_name"]),
        "sibling": c(pools["first"]),
        "holiday": c(pools["holiday"]),
        "job": c(pools["job"]),
        "company": c(pools["company"]),
        "years": str(rng.randint(2, 12)),
        "team_size": str(rng.randint(3, 25)),
        "remote_days": str(rng.randint(1, 4)),
        "cert": c(pools["cert"]),
        "commute": c(pools["commute"]),
        "sport": c(pools["sport"]),
        "distance": str(rng.choice((3, 5, 8, 10, 12, 15))),
        "team": f"{c(pools['team_city'])} {c(pools['team_mascot'])}",
        "marathon_city": c(pools["marathon_city"]),
        "gym_days": str(rng.randint(2, 5)),
        "countries_visited": str(rng.randint(3, 45)),
        "airline": c(pools["airline"]),
        "steak_cut": c(pools["steak_cut"]),
        "wine": c(pools["wine"]),
        "morning_drink": c(pools["morning_drink"]),
        "jazz_artist": c(pools["jazz_artist"]),
        "instrument": c(pools["instrument"]),
        "allergen": c(pools["allergen"]),
        "condition": c(pools["condition"]),
        "sleep_hours": c(pools["sleep_hours"]),
        "supplement": c(pools["supplement"]),
        "injury": c(pools["injury"]),
        "minutes": c(pools["minutes"]),
        "phone": c(pools["phone"]),
        "prog_lang": c(pools["prog_lang"]),
        "os": c(pools["os"]),
        "framework": c(pools["framework"]),
        "volunteer_place": c(pools["volunteer_place"]),
        "color": c(pools["color"]),
        "style": c(pools["style"]),
        "shoe_size": c(pools["shoe_size"]),
        "birthday": c(pools["birthday"]),
        "university": c(pools["university"]),
        "grad_year": str(min(grad_year, now_year)),
        "move_year": str(rng.randint(now_year - 15, now_year - 1)),
        "home_year": str(rng.randint(now_year - 20, now_year - 1)),
        "marathon_year": str(rng.randint(now_year - 10, now_year - 1)),
        "time_of_day": c(pools["time_of_day"]),
        "big_purchase": c(pools["big_purchase"]),
        "car": c(pools["car"]),
        # one member per exclusive group
        "_groups": [rng.randrange(len(g)) for g in EXCLUSIVE_GROUPS],
    }


def _resolve(profile: dict, index: int) -> int:
    """Map a template to the member of its exclusive group this user actually holds."""
    group = _GROUP_OF.get(index)
    if group is None:
        return index
    return _TEMPLATE_INDEX[EXCLUSIVE_GROUPS[group][profile["_groups"][group]]]


def _fill(rng: random.Random, pools: dict[str, tuple[str, ...]], profile: dict, index: int) -> str:
    fields = _TEMPLATE_FIELDS[index]
    template = TEMPLATES[index][1]
    if not fields:
        return template
    values = {}
    for f in fields:
        if f in FREE_KEYS:
            values[f] = rng.choice(_MONTHS) if f == "month" else rng.choice(pools[f])
        else:
            values[f] = profile[f]
    return template.format_map(values)


def _make_users(rng: random.Random, pools: dict[str, tuple[str, ...]], n: int,
                include_alex: bool, now_year: int) -> list[tuple[str, dict]]:
    """(user_id, profile) pairs with unique slug ids; "alex" first when asked for."""
    users: list[tuple[str, dict]] = []
    taken: set[str] = set()
    for i in range(n):
        if include_alex and i == 0:
            first, last, uid = "Alex", rng.choice(pools["last"]), "alex"
        else:
            first, last = rng.choice(pools["first"]), rng.choice(pools["last"])
            base = _slug(f"{first} {last}")
            uid, k = base, 2
            while uid in taken:
                uid, k = f"{base}-{k}", k + 1
        taken.add(uid)
        profile = _profile(rng, pools, first, last, now_year)
        if include_alex and i == 0:
            profile["allergen"] = "nuts"
            diet = _GROUP_OF[_TEMPLATE_INDEX["Is a vegetarian"]]
            profile["_groups"][diet] = EXCLUSIVE_GROUPS[diet].index("Is a vegetarian")
        users.append((uid, profile))
    return users


def _agent_ids(n: int) -> list[str]:
    base = [a[0] for a in AGENT_PROFILES]
    return [base[i % len(base)] + ("" if i < len(base) else f"-{i // len(base) + 1}") for i in range(n)]


def _app_ids(n: int) -> list[str]:
    return [APP_NAMES[i % len(APP_NAMES)] + ("" if i < len(APP_NAMES) else f"-{i // len(APP_NAMES) + 1}")
            for i in range(n)]


def _normalize_now(now: datetime | None) -> datetime:
    if now is None:
        return DEFAULT_NOW
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc).replace(microsecond=0)


def _attributes(rng: random.Random, now: datetime) -> tuple[datetime, dict | None, str | None, bool]:
    """created_at, metadata, expiration_date and immutable, at fixed rates."""
    created = now - timedelta(seconds=rng.randrange(SPAN_SECONDS))
    metadata = None
    r = rng.random()
    if r < 0.30:
        metadata = {"source": rng.choice(_SOURCES)}
        if r < 0.12:
            metadata["priority"] = rng.choice(_PRIORITIES)
    expiration = None
    if rng.random() < 0.05:
        expiration = (created.date() + timedelta(days=rng.randint(30, 400))).isoformat()
    immutable = rng.random() < 0.03
    return created, metadata, expiration, immutable


def _scope(rng: random.Random, uid: str, index: int, agents: list[str], agent_domains: list[tuple],
           apps: list[str], runs: int) -> tuple[str | None, str | None, str | None]:
    """(agent_id, app_id, run_id) for a user memory: mostly none, sometimes one of them."""
    r = rng.random()
    if r < 0.60:
        return None, None, None
    if r < 0.75 and agents:
        category = TEMPLATES[index][0]
        fitting = [a for a, d in zip(agents, agent_domains, strict=True) if category in d]
        return rng.choice(fitting or agents), None, None
    if r < 0.88 and runs > 0:
        return None, None, f"run-{uid}-{rng.randint(1, runs)}"
    if apps:
        return None, rng.choice(apps), None
    return None, None, None


def generate_demo(seed: int = 42, users: int = 30, memories_per_user: int = 12,
                  agents: int = 6, apps: int = 3, runs_per_user: int = 2,
                  now: datetime | None = None) -> list[DemoMemory]:
    """A populated, coherent data set: user memories, then agent-only, then app-only facts.

    Size: users * memories_per_user (alex always gets the 3 QUICK_START memories, even if
    memories_per_user < 3) + agents * AGENT_FACTS_PER_AGENT + apps * APP_FACTS_PER_APP.
    """
    now = _normalize_now(now)
    rng = random.Random(seed)
    pools = _pools(seed)
    agent_ids = _agent_ids(agents)
    domains = [AGENT_PROFILES[i % len(AGENT_PROFILES)][1] for i in range(agents)]
    app_ids = _app_ids(apps)
    out: list[DemoMemory] = []

    for uid, profile in _make_users(rng, pools, users, True, now.year):
        used: set[int] = set()
        texts: list[tuple[int, str]] = []
        if uid == "alex":
            for template in _QUICK_START_TEMPLATES:
                idx = _TEMPLATE_INDEX[template]
                used.add(idx)
                texts.append((idx, _fill(rng, pools, profile, idx)))
        order = rng.sample(range(len(TEMPLATES)), len(TEMPLATES))
        for idx in order:
            if len(texts) >= memories_per_user:
                break
            idx = _resolve(profile, idx)
            if idx in used:
                continue
            used.add(idx)
            texts.append((idx, _fill(rng, pools, profile, idx)))
        while len(texts) < memories_per_user:  # more than the distinct facts: repeat templates
            idx = _resolve(profile, rng.randrange(len(TEMPLATES)))
            texts.append((idx, _fill(rng, pools, profile, idx)))

        for n, (idx, text) in enumerate(texts):
            created, metadata, expiration, immutable = _attributes(rng, now)
            if uid == "alex" and n < len(QUICK_START):  # quick-start must stay visible
                agent_id = app_id = run_id = expiration = None
            else:
                agent_id, app_id, run_id = _scope(rng, uid, idx, agent_ids, domains, app_ids,
                                                  runs_per_user)
            out.append(DemoMemory(text, uid, agent_id, app_id, run_id, metadata, created,
                                  expiration, immutable))

    for i, agent_id in enumerate(agent_ids):
        facts = AGENT_PROFILES[i % len(AGENT_PROFILES)][2]
        for _, text in rng.sample(facts, min(AGENT_FACTS_PER_AGENT, len(facts))):
            created, metadata, expiration, immutable = _attributes(rng, now)
            out.append(DemoMemory(text, None, agent_id, None, None, metadata, created,
                                  expiration, immutable))

    for app_id in app_ids:
        for _, template in rng.sample(APP_TEMPLATES, APP_FACTS_PER_APP):
            text = template.format_map({
                f: rng.choice(_STATIC_POOLS[f]) for _, f, _, _ in _FORMATTER.parse(template) if f
            })
            created, metadata, expiration, immutable = _attributes(rng, now)
            out.append(DemoMemory(text, None, None, app_id, None, metadata, created,
                                  expiration, immutable))
    return out


def generate_bulk(count: int, users: int, seed: int = 7, now: datetime | None = None) -> Iterator[DemoMemory]:
    """Fast path for benchmarks: `count` memories spread round-robin over `users` user ids.

    Memory i belongs to user i % users; scopes, metadata and dates vary as in generate_demo
    (with the default 6 agents, 3 apps and 2 runs per user). Texts may repeat per user.
    """
    if count > 0 and users < 1:
        raise ValueError("users must be >= 1 when count > 0")
    return _bulk(count, users, seed, _normalize_now(now))


def _bulk(count: int, users: int, seed: int, now: datetime) -> Iterator[DemoMemory]:
    """The generator behind generate_bulk, split off so argument errors raise eagerly."""
    rng = random.Random(seed)
    pools = _pools(seed)
    people = _make_users(rng, pools, users, False, now.year)
    agent_ids = _agent_ids(6)
    domains = [p[1] for p in AGENT_PROFILES[:6]]
    app_ids = _app_ids(3)
    n_templates = len(TEMPLATES)
    for i in range(count):
        uid, profile = people[i % users]
        idx = _resolve(profile, rng.randrange(n_templates))
        text = _fill(rng, pools, profile, idx)
        created, metadata, expiration, immutable = _attributes(rng, now)
        agent_id, app_id, run_id = _scope(rng, uid, idx, agent_ids, domains, app_ids, 2)
        yield DemoMemory(text, uid, agent_id, app_id, run_id, metadata, created, expiration, immutable)

