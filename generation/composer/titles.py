"""Track titles in the manner of the corpus ("The Silver Heron", "Reel for a Quiet Harbour")."""

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
KIND_WORD = {
    "reel": "Reel",
    "jig": "Jig",
    "waltz": "Waltz",
    "chorale": "Chorale",
    "lofi": "",
    "tune": "Air",
}


def make_title(rng: np.random.Generator, kind: str) -> str:
    """A deterministic title for the given random stream and preset title kind."""
    adjective = ADJECTIVES[int(rng.integers(len(ADJECTIVES)))]
    noun = NOUNS[int(rng.integers(len(NOUNS)))]
    name = NAMES[int(rng.integers(len(NAMES)))]
    place = PLACES[int(rng.integers(len(PLACES)))]
    word = KIND_WORD.get(kind, "Air")
    form = int(rng.integers(4))
    if kind == "lofi":
        options = (
            f"{adjective.lower()} {noun.lower()}s",
            f"{noun.lower()} at night",
            f"{adjective.lower()} {noun.lower()} (tape)",
            f"after {place.removeprefix('the ')}",
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
