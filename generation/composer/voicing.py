"""Placing chord tones on instruments: close voicings, bass notes and four-part chorale voices."""

from __future__ import annotations

from itertools import product

from .theory import QUALITY_INTERVALS, chord_parts


def chord_tones(chord: int, tonic: int, sevenths: bool = False) -> list[int]:
    """Absolute pitch classes of a chord id in a key, root first."""
    root, quality = chord_parts(chord)
    steps = list(QUALITY_INTERVALS[quality])
    if sevenths and len(steps) == 3:
        # Lo-fi colour: minor sevenths on minor chords; major chords get an added ninth
        # rather than a major seventh, which rubs against a melody sitting on the root.
        steps.append(14 if quality == "maj" else 10)
    return [(tonic + root + s) % 12 for s in steps]


def close_voicing(pcs: list[int], low: int, high: int, previous: list[int] | None) -> list[int]:
    """The close-position voicing inside [low, high] that moves least from the previous one."""
    best: tuple[float, list[int]] | None = None
    centre = (low + high) / 2
    for lowest in pcs:
        # Close position: every other tone in the octave above the lowest one.
        intervals = sorted({(pc - lowest) % 12 for pc in pcs} - {0})
        for bottom in range(low, low + 12):
            if bottom % 12 != lowest:
                continue
            stack = [bottom] + [bottom + i for i in intervals]
            if stack[-1] > high:
                continue
            if previous and len(previous) == len(stack):
                cost = float(sum(abs(a - b) for a, b in zip(stack, sorted(previous), strict=True)))
            elif previous:
                cost = 2 * abs(sum(stack) / len(stack) - sum(previous) / len(previous))
            else:
                cost = abs(sum(stack) / len(stack) - centre)
            if best is None or cost < best[0]:
                best = (cost, stack)
    if best is None:
        # Range too narrow for a close stack: root and fifth in the middle of the range.
        root = low + (pcs[0] - low) % 12
        return [root, root + 7] if root + 7 <= high else [root]
    return best[1]


def bass_note(pc: int, low: int, high: int, previous: int | None) -> int:
    """The octave of a pitch class in range nearest the previous bass note (low if none)."""
    options = [p for p in range(low, high + 1) if p % 12 == pc]
    if not options:
        return low + (pc - low) % 12
    anchor = previous if previous is not None else low + 7
    return min(options, key=lambda p: (abs(p - anchor) + 0.1 * (p - low), p))


RANGES = {"alto": (55, 74), "tenor": (48, 67), "bass": (36, 60)}


def satb(
    chord: int, tonic: int, soprano: int, previous: tuple[int, int, int] | None
) -> tuple[int, int, int]:
    """Alto, tenor and bass under a soprano note, by the chorale rules that matter most.

    Root in the bass (first inversion allowed if it moves by step), all triad tones
    present, no doubled third, voices within an octave of their neighbours, and the least
    total movement from the previous chord.
    """
    tones = chord_tones(chord, tonic)
    root, third = tones[0], tones[1]
    prev_a, prev_t, prev_b = previous if previous else (soprano - 7, soprano - 14, soprano - 24)
    best: tuple[float, tuple[int, int, int]] | None = None
    basses = [p for p in range(*_span("bass")) if p % 12 in (root, third) and p <= soprano - 10]
    altos = [p for p in range(*_span("alto")) if p % 12 in tones and p <= soprano]
    tenors = [p for p in range(*_span("tenor")) if p % 12 in tones]
    for b, a, t in product(basses, altos, tenors):
        if not b < t <= a or a - t > 12 or soprano - a > 12:
            continue
        pcs = [soprano % 12, a % 12, t % 12, b % 12]
        cost = abs(a - prev_a) + abs(t - prev_t) + 1.5 * abs(b - prev_b)
        if b % 12 != root:
            cost += 4 if abs(b - prev_b) > 2 else 1.5
        missing = sum(1 for pc in tones[:3] if pc not in pcs)
        cost += 12 * missing
        if pcs.count(third) > 1:
            cost += 6
        if a in (t, soprano):
            cost += 3  # unisons thin the texture
        if best is None or cost < best[0]:
            best = (cost, (a, t, b))
    if best is None:
        b = bass_note(root, *RANGES["bass"], prev_b)
        return (soprano - 5, soprano - 12, min(b, soprano - 17))
    return best[1]


def _span(voice: str) -> tuple[int, int]:
    low, high = RANGES[voice]
    return low, high + 1
