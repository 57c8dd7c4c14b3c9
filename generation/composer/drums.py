"""Percussion patterns per preset feel, with fills into the next section (GM drum notes)."""

from __future__ import annotations

from .theory import TPQ

KICK, SIDE_STICK, SNARE, CLOSED_HAT, OPEN_HAT, CRASH = 36, 37, 38, 42, 46, 49
FLOOR_TOM, LOW_TOM, MID_TOM, HIGH_TOM = 41, 45, 47, 50
MUTE_CONGA, LOW_CONGA, TAMBOURINE, SHAKER = 62, 64, 54, 70
E = TPQ // 2  # eighth note
S = TPQ // 4  # sixteenth note

Hit = tuple[int, int, int]  # tick in bar, GM drum note, velocity

# A frame-drum (bodhran) feel from hand-drum sounds: low strokes on the beats, muted
# skin on every eighth, tambourine on the backbeat.
GROOVES: dict[str, list[Hit]] = {
    "reel": [
        (0, FLOOR_TOM, 100), (0, MUTE_CONGA, 62), (E, MUTE_CONGA, 50),
        (2 * E, LOW_CONGA, 78), (2 * E, TAMBOURINE, 46), (3 * E, MUTE_CONGA, 52),
        (4 * E, FLOOR_TOM, 90), (4 * E, MUTE_CONGA, 60), (5 * E, MUTE_CONGA, 50),
        (6 * E, LOW_CONGA, 80), (6 * E, TAMBOURINE, 48), (7 * E, MUTE_CONGA, 56),
    ],
    "jig": [
        (0, FLOOR_TOM, 100), (E, MUTE_CONGA, 52), (2 * E, MUTE_CONGA, 58),
        (3 * E, FLOOR_TOM, 86), (4 * E, MUTE_CONGA, 52), (5 * E, LOW_CONGA, 72),
        (5 * E, TAMBOURINE, 44),
    ],
    "boom_bap": [
        (0, KICK, 104), (0, CLOSED_HAT, 62), (E, CLOSED_HAT, 44),
        (2 * E, SNARE, 96), (2 * E, CLOSED_HAT, 58), (3 * E, CLOSED_HAT, 44),
        (4 * E + E, KICK, 82), (4 * E, CLOSED_HAT, 60), (5 * E, CLOSED_HAT, 44),
        (6 * E, SNARE, 98), (6 * E, CLOSED_HAT, 58), (7 * E, CLOSED_HAT, 46),
        (7 * E + S, KICK, 60),
    ],
}  # fmt: skip
# Every fourth bar varies a little so the loop breathes.
TURNAROUNDS: dict[str, list[Hit]] = {
    "reel": [(7 * E + S, MUTE_CONGA, 48)],
    "jig": [(4 * E + S, MUTE_CONGA, 44)],
    "boom_bap": [(7 * E, OPEN_HAT, 56), (3 * E + S, KICK, 58)],
}


def fill(style: str, bar_len: int) -> list[Hit]:
    """Second half of the bar as a tom run that grows louder, landing on the next downbeat."""
    half = bar_len // 2
    hits: list[Hit] = [h for h in GROOVES[style] if h[0] < half]
    step = S if style != "jig" else E
    toms = (HIGH_TOM, HIGH_TOM, MID_TOM, MID_TOM, LOW_TOM, LOW_TOM, FLOOR_TOM, FLOOR_TOM)
    if style == "boom_bap":
        toms = (SNARE, SNARE, SNARE, MID_TOM, SNARE, LOW_TOM, SNARE, FLOOR_TOM)
    count = (bar_len - half) // step
    for i in range(count):
        tick = half + i * step
        velocity = 62 + int(40 * i / max(1, count - 1))
        hits.append((tick, toms[i * len(toms) // count], velocity))
    return hits


def bar_hits(style: str, bar_len: int, bar_in_section: int, *, fill_bar: bool) -> list[Hit]:
    if fill_bar:
        return fill(style, bar_len)
    hits = [h for h in GROOVES[style] if h[0] < bar_len]
    if bar_in_section % 4 == 3:
        hits = hits + TURNAROUNDS[style]
    return hits


def section_start(style: str) -> list[Hit]:
    """Accent on the first downbeat of a section: crash on a kit, a big stroke on a frame drum."""
    if style == "boom_bap":
        return [(0, CRASH, 70)]
    return [(0, LOW_TOM, 96)]
