"""What the model learns from a tune: pitch offsets, bar rhythms, chord slots, melody-vs-chord."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .records import Tune
from .theory import (
    METERS,
    MODE_FAMILY,
    N_CHORDS,
    QUALITY_INTERVALS,
    chord_index,
    chord_parts,
    tempo_band,
)

STYLES = (
    "",
    "reel",
    "jig",
    "hornpipe",
    "strathspey",
    "march",
    "slipjig",
    "polka",
    "waltz",
    "air",
    "chorale",
)
# Pitch contexts pool dance tunes; airs and chorales move differently enough to keep apart.
GROUPS = ("dance", "air", "chorale")
# Typical quarter-note tempo of each style, for tunes without a Q: field.
STYLE_QPM = {
    "reel": 200.0,
    "jig": 170.0,
    "slipjig": 170.0,
    "hornpipe": 140.0,
    "strathspey": 120.0,
    "march": 120.0,
    "polka": 150.0,
    "waltz": 140.0,
    "air": 80.0,
    "chorale": 70.0,
}
METER_QPM = {"6/8": 170.0, "9/8": 170.0, "4/4": 120.0, "2/4": 120.0, "3/4": 110.0}

# Melody pitches are semitones from the tonic, clipped to this window.
PITCH_LOW, PITCH_HIGH = -15, 30
PITCH_VOCAB = PITCH_HIGH - PITCH_LOW + 1
PITCH_START = PITCH_VOCAB  # history symbol before the first note
CHORD_START = N_CHORDS
# Harmony slots per bar: half bars in 4/4, dotted quarters in 6/8 and 9/8.
FOLK_SLOTS = {"4/4": 2, "2/4": 1, "3/4": 1, "6/8": 2, "9/8": 3}
PHRASE_BARS = 8

# The chords a folk melody is allowed to imply; anything else is too ambiguous to guess
# from one line. (root relative to tonic, quality, prior weight)
FOLK_PALETTE = {
    "major": ((0, "maj", 1.0), (7, "maj", 0.8), (5, "maj", 0.7), (9, "min", 0.45),
              (2, "min", 0.35), (7, "dom7", 0.3), (4, "min", 0.15)),
    "minor": ((0, "min", 1.0), (7, "min", 0.5), (7, "maj", 0.5), (5, "min", 0.6),
              (10, "maj", 0.7), (3, "maj", 0.6), (8, "maj", 0.45)),
}  # fmt: skip


def group_of(style: str) -> str:
    if style == "chorale":
        return "chorale"
    if style == "air":
        return "air"
    return "dance"


def mode_family(mode: str) -> str:
    return MODE_FAMILY.get(mode, "major")


def tune_qpm(tune: Tune) -> float:
    if tune.qpm and 30 <= tune.qpm <= 320:
        return tune.qpm
    return STYLE_QPM.get(tune.style, METER_QPM.get(tune.meter, 120.0))


def tonic_reference(tune: Tune) -> int:
    """MIDI number of the tonic that offsets are measured from.

    The tonic octave is the one just below the tune's median pitch, so tunes in every key
    and register land in the same offset window and pool their statistics.
    """
    pitches = sorted(n[2] for n in tune.notes if n[2] >= 0)
    median = pitches[len(pitches) // 2]
    return median - ((median - tune.tonic) % 12)


def pitch_symbol(offset: int) -> int:
    return min(max(offset, PITCH_LOW), PITCH_HIGH) - PITCH_LOW


@dataclass
class Bar:
    start: int  # tick where the bar would start if it were complete
    index: int  # count of bars from the first full bar (phrase position)
    full: bool


@dataclass
class TuneFeatures:
    meter: str | None
    mode: str
    group: str
    style: str
    band: str
    pitches: list[int] = field(default_factory=list)
    patterns: list[list[tuple[tuple[int, int, int], ...] | None]] = field(default_factory=list)
    pattern_phrase: list[list[int]] = field(default_factory=list)
    chords: list[list[int]] = field(default_factory=list)  # runs of chord ids per slot
    chord_pos: list[list[int]] = field(default_factory=list)
    emissions: list[tuple[str, int]] = field(default_factory=list)  # (quality, interval)


def bar_grid(tune: Tune, bar_len: int) -> list[Bar]:
    """Bars of a tune from its written bar lines.

    A short bar before a full one is a pickup (its notes sit at the end of the bar);
    a short bar before another short one is the end of a part (notes at the start);
    an over-long stretch without bar lines is split when it holds whole bars.
    """
    end = max(o + d for o, d, _ in tune.notes)
    lines = sorted({b for b in tune.bar_lines if 0 < b < end} | {0, end})
    spans = list(itertools.pairwise(lines))
    bars: list[Bar] = []
    index = 0
    for i, (a, b) in enumerate(spans):
        length = b - a
        if length == bar_len or (length > bar_len and length % bar_len == 0):
            for start in range(a, b, bar_len):
                bars.append(Bar(start, index, True))
                index += 1
            continue
        if length > bar_len:
            continue  # unaligned: its notes get no metrical position
        next_full = i + 1 < len(spans) and spans[i + 1][1] - spans[i + 1][0] >= bar_len
        if (i == 0 or next_full) and i + 1 < len(spans):
            bars.append(Bar(b - bar_len, index, False))  # pickup: does not count
        else:
            bars.append(Bar(a, index, False))
            index += 1
    return bars


def bar_pattern(
    notes: list[tuple[int, int, int]], start: int, bar_len: int
) -> tuple[tuple[int, int, int], ...]:
    """Onset, length and kind (0 note, 1 rest, 2 held over the bar line) inside one bar."""
    stop = start + bar_len
    events: list[tuple[int, int, int]] = []
    for onset, length, midi in notes:
        if onset >= stop or onset + length <= start:
            continue
        pos = max(onset, start) - start
        clipped = min(stop, onset + length) - max(onset, start)
        kind = (2 if midi >= 0 else 1) if onset < start else 0 if midi >= 0 else 1
        events.append((pos, clipped, kind))
    return tuple(events)


def _implied_chord(weights: list[float], mode: str) -> int:
    """The palette chord that best explains the melody notes of one slot."""
    total = sum(weights)
    best = (-1e9, 0)
    for root, quality, prior in FOLK_PALETTE[mode]:
        tones = {(root + step) % 12 for step in QUALITY_INTERVALS[quality]}
        inside = sum(w for pc, w in enumerate(weights) if pc in tones)
        if quality == "dom7" and weights[(root + 10) % 12] <= 0:
            continue
        score = (2 * inside - total) + 0.3 * prior * total
        if score > best[0]:
            best = (score, chord_index(root, quality))
    return best[1]


def extract(tune: Tune) -> TuneFeatures:
    mode = mode_family(tune.mode)
    feats = TuneFeatures(
        meter=tune.meter if tune.meter in METERS else None,
        mode=mode,
        group=group_of(tune.style),
        style=tune.style if tune.style in STYLES else "",
        band=tempo_band(tune_qpm(tune)),
    )
    ref = tonic_reference(tune)
    feats.pitches = [pitch_symbol(m - ref) for _, _, m in tune.notes if m >= 0]
    if feats.meter is None:
        return feats
    bar_len, _beat = METERS[feats.meter]
    bars = bar_grid(tune, bar_len)

    # Bar rhythms, in runs of consecutive full bars.
    run: list[tuple[tuple[int, int, int], ...] | None] = []
    phrase: list[int] = []
    last_index = None
    for bar in bars:
        if not bar.full:
            if run:
                feats.patterns.append(run)
                feats.pattern_phrase.append(phrase)
            run, phrase, last_index = [], [], None
            continue
        if last_index is not None and bar.index != last_index + 1 and run:
            feats.patterns.append(run)
            feats.pattern_phrase.append(phrase)
            run, phrase = [], []
        run.append(bar_pattern(tune.notes, bar.start, bar_len))
        phrase.append(bar.index % PHRASE_BARS)
        last_index = bar.index
    if run:
        feats.patterns.append(run)
        feats.pattern_phrase.append(phrase)

    _harmony(tune, feats, bars, bar_len)
    return feats


def _sounding_at(notes: list[tuple[int, int, int]], tick: int) -> int | None:
    for onset, length, midi in notes:
        if onset <= tick < onset + length:
            return midi if midi >= 0 else None
        if onset > tick:
            break
    return None


def _harmony(tune: Tune, feats: TuneFeatures, bars: list[Bar], bar_len: int) -> None:
    """Chord ids per harmony slot, and melody-against-chord pairs where chords are real."""
    assert feats.meter is not None
    if tune.chord_source == "verticalities":
        # Chorales change harmony on (almost) every beat.
        slot_len = METERS[feats.meter][1]
        slots_per_bar = bar_len // slot_len
    else:
        slots_per_bar = FOLK_SLOTS[feats.meter]
        slot_len = bar_len // slots_per_bar
    given = sorted(tune.chords)

    def given_chord(tick: int) -> int | None:
        current = None
        for onset, root, quality in given:
            if onset > tick:
                break
            current = chord_index(root - tune.tonic, quality)
        return current

    run: list[int] = []
    pos: list[int] = []
    for bar in bars:
        if not bar.full:
            if len(run) > 1:
                feats.chords.append(run)
                feats.chord_pos.append(pos)
            run, pos = [], []
            continue
        for slot in range(slots_per_bar):
            start = bar.start + slot * slot_len
            if given:
                chord = given_chord(start)
                if chord is None:
                    continue
                melody = _sounding_at(tune.notes, start)
                if melody is not None:
                    root, quality = chord_parts(chord)
                    feats.emissions.append((quality, (melody - tune.tonic - root) % 12))
            else:
                weights = [0.0] * 12
                for onset, length, midi in tune.notes:
                    if midi < 0 or onset >= start + slot_len or onset + length <= start:
                        continue
                    overlap = min(start + slot_len, onset + length) - max(start, onset)
                    # The note on the slot's first beat carries the harmony.
                    weight = overlap * (2.0 if onset <= start else 1.0)
                    weights[(midi - tune.tonic) % 12] += weight
                if sum(weights) <= 0:
                    if run:
                        run.append(run[-1])
                        pos.append((bar.index % PHRASE_BARS) * 4 + min(slot, 3))
                    continue
                chord = _implied_chord(weights, feats.mode)
            run.append(chord)
            pos.append((bar.index % PHRASE_BARS) * 4 + min(slot, 3))
    if len(run) > 1:
        feats.chords.append(run)
        feats.chord_pos.append(pos)
