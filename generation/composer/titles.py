"""Track titles in the manner of the corpus ("The Silver Heron", "Reel for a Quiet Harbour").

Every title is in title case, lo-fi ones included ("Hill at Night", not "hill at night"), so
they read alike side by side in a list. Titles already stored keep the case they were made
with: a title is part of what a listener rated, and nothing depends on its case."""

from __future__ import annotations

import numpy as np

ADJECTIVES = (
    "Silver", "Quiet", "Green", "Wandering", "Golden", "Misty", "Merry", "Lonely", "Old",
    "Bright", "Windy", "Hidden", "Crooked", "Sleeping", "Blue", "Copper", "Distant", "Gentle",
    "Rolling", "Salt", "Amber", "Evening", "Morning", "Last", "Little", "High", "Northern",
)  # fmt: skip
NOUNS = (
    "Heron", "Harbour", "Lark", "Meadow", "Lantern", "River", "Ferry", "Orchard", "Willow",
    "Fiddler", "Piper", "Shore", "Hill", "Candle", "Sparrow", "Mill", "Bridge", "Garden",
    "Road", "Island", "Tide", "Kettle", "Rowan", "Stone", "Window", "Gate", "Moor",
)  # fmt: skip
NAMES = (
    "Maggie", "Tom", "Nora", "Padraig", "Elsie", "Rory", "Bridget", "Hugh", "Annie", "Jamie",
    "Kate", "Willie", "Mary", "Donal", "Ellen", "Sean",
)  # fmt: skip
PLACES = (
    "Kilkenny", "the Glen", "Ballymore", "the Valley", "Inverness", "the Strand", "Carrick",
    "the Crossroads", "Dunmore", "the Lough", "Ardmore", "the Harbour Wall",
)  # fmt: skip
# Lowercase inside a title (never first, nor first after a colon), as in the corpus.
SMALL_WORDS = frozenset({"a", "an", "and", "at", "for", "in", "of", "on", "the", "to"})
KIND_WORD = {
    "reel": "Reel",
    "jig": "Jig",
    "waltz": "Waltz",
    "chorale": "Chorale",
    "lofi": "",
    "tune": "Air",
}


def make_title(rng: np.random.Generator, kind: str) -> str:
    """A deterministic title, in title case, for the given random stream and preset kind."""
    return title_case(_compose(rng, kind))


def title_case(title: str) -> str:
    """Capitalises each word but small ones inside the title; the rest of a word is kept
    ("O'Neill's", "(Tape)")."""
    words = title.split()
    cased = []
    for index, word in enumerate(words):
        lead = len(word) - len(word.lstrip("("))
        bare = word[lead:]
        starts_phrase = index == 0 or words[index - 1].endswith(":")
        if bare.lower() in SMALL_WORDS and not starts_phrase:
            bare = bare.lower()
        else:
            bare = bare[:1].upper() + bare[1:]
        cased.append(word[:lead] + bare)
    return " ".join(cased)


def _compose(rng: np.random.Generator, kind: str) -> str:
    adjective = ADJECTIVES[int(rng.integers(len(ADJECTIVES)))]
    noun = NOUNS[int(rng.integers(len(NOUNS)))]
    name = NAMES[int(rng.integers(len(NAMES)))]
    place = PLACES[int(rng.integers(len(PLACES)))]
    word = KIND_WORD.get(kind, "Air")
    form = int(rng.integers(4))
    if kind == "lofi":
        options = (
            f"{adjective} {noun}s",
            f"{noun} at Night",
            f"{adjective} {noun} (Tape)",
            f"After {place.removeprefix('the ')}",
        )
        return options[form]
    if kind == "chorale":
        options = (
            f"Chorale: The {adjective} {noun}",
            f"Hymn for {place}",
            f"Chorale on the {noun}",
            f"O {adjective} {noun}",
        )
        return options[form]
    options = (
        f"The {adjective} {noun}",
        f"{name}'s {word}",
        f"The {noun} of {place}",
        f"{word} for a {adjective} {noun}",
    )
    return options[form]
