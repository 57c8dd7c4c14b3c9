"""Sampling a tune's parts from the model: chord slots, bar rhythms, then pitches over them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .features import CHORD_START, GROUPS, PHRASE_BARS, PITCH_LOW, PITCH_START, STYLES
from .model import ComposerModel
from .presets import Preset
from .theory import (
    METERS,
    MODES,
    N_CHORDS,
    QUALITIES,
    TEMPO_BANDS,
    chord_index,
    chord_parts,
    chord_pitch_classes,
    tempo_band,
)

NUCLEUS = 0.95  # sample from the smallest set of symbols holding this much probability
STRONG_WEIGHT = 1.0  # exponent on P(note | chord) on a chord change
BEAT_WEIGHT = 0.35  # ... on other beats
# Antecedent and consequent: bars 5-6 of an 8-bar part restate bars 1-2, as most of the
# corpus's dance tunes do; the model is free everywhere else.
RESTATE = {4: 0, 5: 1}


@dataclass
class MelodyEvent:
    onset: int  # ticks from the start of the part
    length: int
    pitch: int | None  # semitones above the melody tonic; None is a rest


@dataclass
class Part:
    bars: int
    chords: list[int]  # chord id per harmony slot (root relative to the tonic)
    events: list[MelodyEvent] = field(default_factory=list)


@dataclass
class Context:
    """Everything fixed for one piece that sampling needs."""

    model: ComposerModel
    preset: Preset
    mode: str
    tempo_bpm: float
    temperature: float
    low: int  # lowest allowed pitch offset from the melody tonic
    high: int
    _pitch_cache: dict[tuple[int, ...], np.ndarray] = field(default_factory=dict)

    @property
    def bar_len(self) -> int:
        return METERS[self.preset.meter][0]

    @property
    def beat_len(self) -> int:
        return METERS[self.preset.meter][1]

    @property
    def slot_len(self) -> int:
        return self.bar_len // self.preset.harmony_slots

    def pitch_distribution(self, history: list[int]) -> np.ndarray:
        h = ([PITCH_START] * 4 + history)[-4:][::-1]
        key = tuple(h)
        cached = self._pitch_cache.get(key)
        if cached is None:
            cached = self.model.pitch.distribution(
                {
                    "group": GROUPS.index(self.preset.group),
                    "mode": MODES.index(self.mode),
                    "h1": h[0],
                    "h2": h[1],
                    "h3": h[2],
                    "h4": h[3],
                }
            )
            self._pitch_cache[key] = cached
        return cached


def draw(probs: np.ndarray, rng: np.random.Generator, temperature: float) -> int:
    """Sample an index: nucleus truncation, then temperature, deterministic for a given rng."""
    total = probs.sum()
    if total <= 0:
        raise ValueError("nothing to sample from")
    p = probs / total
    order = np.argsort(-p, kind="stable")
    cumulative = np.cumsum(p[order])
    keep = order[: int(np.searchsorted(cumulative, NUCLEUS)) + 1]
    q = np.zeros_like(p)
    q[keep] = p[keep] ** (1.0 / temperature)
    q /= q.sum()
    index = int(np.searchsorted(np.cumsum(q), rng.random() * (1 - 1e-12), side="right"))
    return min(index, len(q) - 1)


def tonic_chord(mode: str) -> int:
    return chord_index(0, "min" if mode == "minor" else "maj")


def sample_chords(
    ctx: Context, bars: int, rng: np.random.Generator, *, start_on_tonic: bool
) -> list[int]:
    """Chord per harmony slot; bars 5-6 restate bars 1-2 and the last slot is the tonic."""
    slots = ctx.preset.harmony_slots
    chords: list[int] = []
    c1 = c2 = CHORD_START
    group, mode = GROUPS.index(ctx.preset.group), MODES.index(ctx.mode)
    for slot in range(bars * slots):
        bar, within = divmod(slot, slots)
        phrase_bar = (bar + PHRASE_BARS - bars) % PHRASE_BARS if bars < PHRASE_BARS else bar
        if bar in RESTATE and bars >= PHRASE_BARS:
            chord = chords[RESTATE[bar] * slots + within]
        elif (slot == 0 and start_on_tonic) or slot == bars * slots - 1:
            chord = tonic_chord(ctx.mode)
        else:
            probs = ctx.model.harmony.distribution(
                {
                    "group": group,
                    "mode": mode,
                    "pos": (phrase_bar % PHRASE_BARS) * 4 + min(within, 3),
                    "c1": c1,
                    "c2": c2,
                }
            )
            chord = draw(probs, rng, ctx.temperature)
        chords.append(chord)
        c1, c2 = chord, c1
    return chords


def sample_rhythm(ctx: Context, bars: int, rng: np.random.Generator) -> list[int]:
    """Bar rhythm ids; the last bar ends on a note of at least a beat."""
    model = ctx.model
    meter_id = list(METERS).index(ctx.preset.meter)
    ids: list[int] = []
    p1 = p2 = 0
    allowed = np.array([m == ctx.preset.meter for m in model.pattern_meters], dtype=float)
    no_hold = np.array([bool(p) and p[0][2] != 2 for p in model.patterns], dtype=float)
    cadence = np.array(
        [bool(p) and p[-1][2] == 0 and p[-1][1] >= ctx.beat_len for p in model.patterns],
        dtype=float,
    )
    for bar in range(bars):
        phrase_bar = (bar + PHRASE_BARS - bars) % PHRASE_BARS if bars < PHRASE_BARS else bar
        if bar in RESTATE and bars >= PHRASE_BARS:
            chosen = ids[RESTATE[bar]]
        else:
            probs = model.rhythm.distribution(
                {
                    "meter": meter_id,
                    "style": STYLES.index(ctx.preset.style),
                    "band": TEMPO_BANDS.index(tempo_band(ctx.tempo_bpm)),
                    "phrase": phrase_bar % PHRASE_BARS,
                    "p1": p1,
                    "p2": p2,
                }
            )
            probs = probs * allowed
            if bar == 0:
                probs = _prefer(probs, no_hold)
            if bar == bars - 1:
                probs = _prefer(probs, cadence)
            chosen = draw(probs, rng, ctx.temperature)
        ids.append(chosen)
        p1, p2 = chosen, p1
    return ids


def _prefer(probs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Restrict to the mask when it leaves anything to sample; otherwise keep all."""
    masked = probs * mask
    return masked if masked.sum() > 0 else probs


def rhythm_events(ctx: Context, ids: list[int]) -> list[MelodyEvent]:
    events: list[MelodyEvent] = []
    for bar, pattern_id in enumerate(ids):
        for pos, length, kind in ctx.model.patterns[pattern_id]:
            onset = bar * ctx.bar_len + pos
            if kind == 2 and events and events[-1].pitch is not None:
                events[-1].length += length  # held over the bar line
                continue
            events.append(MelodyEvent(onset, length, 0 if kind != 1 else None))
    return events


def _chord_at(ctx: Context, chords: list[int], onset: int) -> int:
    return chords[min(len(chords) - 1, onset // ctx.slot_len)]


def _weights(ctx: Context, chords: list[int], onset: int, final: bool) -> np.ndarray:
    """Per-offset multipliers: chord fit on strong positions, range, and a tonic ending."""
    offsets = np.arange(ctx.model.pitch.vocab) + PITCH_LOW
    weights = ((offsets >= ctx.low) & (offsets <= ctx.high)).astype(float)
    root, quality = chord_parts(_chord_at(ctx, chords, onset))
    emission = ctx.model.emission[QUALITIES.index(quality)]
    fit = emission[(offsets - root) % 12]
    if onset % ctx.slot_len == 0:
        weights *= fit**STRONG_WEIGHT
    elif onset % ctx.beat_len == 0:
        weights *= fit**BEAT_WEIGHT
    if final:
        weights *= np.where(offsets % 12 == 0, 1.0, 0.0) + 1e-6
    return weights


def fill_pitches(
    ctx: Context,
    part: Part,
    rng: np.random.Generator,
    *,
    lift: float = 0.0,
    history: list[int] | None = None,
) -> None:
    """Choose a pitch for every note event of a part, in order, from the pitch model."""
    history = list(history or [])
    notes = [e for e in part.events if e.pitch is not None]
    bar_len = ctx.bar_len
    by_onset: dict[int, int] = {}
    offsets = np.arange(ctx.model.pitch.vocab) + PITCH_LOW
    centre = (ctx.low + ctx.high) / 2
    bias = np.exp(lift * (offsets - centre) / 12.0)
    for index, event in enumerate(notes):
        bar, pos = divmod(event.onset, bar_len)
        source_bar = RESTATE.get(bar) if part.bars >= PHRASE_BARS else None
        copied = by_onset.get(source_bar * bar_len + pos) if source_bar is not None else None
        if copied is not None:
            event.pitch = copied
        else:
            probs = ctx.pitch_distribution(history) * bias
            probs = probs * _weights(ctx, part.chords, event.onset, index == len(notes) - 1)
            if probs.sum() <= 0:
                probs = _weights(ctx, part.chords, event.onset, False)
            event.pitch = int(offsets[draw(probs, rng, ctx.temperature)])
        by_onset[event.onset] = event.pitch
        history.append(event.pitch - PITCH_LOW)


def make_part(ctx: Context, rng: np.random.Generator, bars: int, *, contrast: bool) -> Part:
    """A fresh part: A parts start on the tonic chord, B parts (contrast) sit higher."""
    chords = sample_chords(ctx, bars, rng, start_on_tonic=not contrast)
    ids = sample_rhythm(ctx, bars, rng)
    part = Part(bars=bars, chords=chords, events=rhythm_events(ctx, ids))
    fill_pitches(ctx, part, rng, lift=0.9 if contrast else 0.0)
    return part


def vary_part(ctx: Context, part: Part, rng: np.random.Generator, amount: float) -> Part:
    """A recognisable variation: a share of the unaccented notes get new pitches.

    Notes on chord changes, in the last bar (the cadence) and the first note stay, so the
    part's outline and harmony are kept. A new pitch is scored by the model both as a
    continuation of what precedes it and as a lead into the note that follows.
    """
    events = [replace(e) for e in part.events]
    notes = [i for i, e in enumerate(events) if e.pitch is not None]
    last_bar_start = (part.bars - 1) * ctx.bar_len
    # Chord changes anchor the tune; with a chord on every beat (chorale) only the
    # half-bar anchors, or nothing could vary.
    anchor = ctx.slot_len if ctx.preset.harmony_slots <= 2 else ctx.bar_len // 2
    candidates = [
        i
        for n, i in enumerate(notes)
        if n > 0 and events[i].onset % anchor != 0 and events[i].onset < last_bar_start
    ]
    count = min(len(candidates), max(1, round(amount * len(notes))))
    chords = list(part.chords)
    if ctx.preset.harmony_slots >= 3:
        chords = reharmonize(ctx, part, rng, amount * 2)
    if count == 0:
        return Part(bars=part.bars, chords=chords, events=events)
    chosen = sorted(int(i) for i in rng.choice(candidates, size=count, replace=False))
    offsets = np.arange(ctx.model.pitch.vocab) + PITCH_LOW
    for i in chosen:
        position = notes.index(i)
        history = [events[j].pitch - PITCH_LOW for j in notes[max(0, position - 4) : position]]  # type: ignore[operator]
        probs = ctx.pitch_distribution(history) * _weights(ctx, part.chords, events[i].onset, False)
        current = events[i].pitch
        if current is not None and current - PITCH_LOW < len(probs):
            probs[current - PITCH_LOW] *= 0.15  # a variation should usually change the note
        if position + 1 < len(notes):
            following = events[notes[position + 1]].pitch
            assert following is not None
            for symbol in np.flatnonzero(probs > probs.max() * 1e-3):
                lead = ctx.pitch_distribution([*history, int(symbol)])
                probs[symbol] *= lead[following - PITCH_LOW] + 1e-6
        if probs.sum() > 0:
            events[i].pitch = int(offsets[draw(probs, rng, ctx.temperature)])
    return Part(bars=part.bars, chords=chords, events=events)


def reharmonize(ctx: Context, part: Part, rng: np.random.Generator, amount: float) -> list[int]:
    """New chords under the same tune on some off-bar slots, as chorale settings vary.

    A replacement must contain the melody note sounding at that slot.
    """
    chords = list(part.chords)
    slots = ctx.preset.harmony_slots
    candidates = [s for s in range(1, len(chords) - slots) if s % slots != 0]
    count = min(len(candidates), round(amount * len(candidates)))
    if count == 0:
        return chords
    group, mode = GROUPS.index(ctx.preset.group), MODES.index(ctx.mode)
    for slot in sorted(int(s) for s in rng.choice(candidates, size=count, replace=False)):
        tick = slot * ctx.slot_len
        sounding = [e for e in part.events if e.onset <= tick < e.onset + e.length]
        melody = sounding[0].pitch if sounding else None
        bar, within = divmod(slot, slots)
        probs = ctx.model.harmony.distribution(
            {
                "group": group,
                "mode": mode,
                "pos": (bar % PHRASE_BARS) * 4 + min(within, 3),
                "c1": chords[slot - 1],
                "c2": chords[slot - 2] if slot >= 2 else CHORD_START,
            }
        )
        if melody is not None:
            fits = np.array([melody % 12 in chord_pitch_classes(c) for c in range(N_CHORDS)])
            probs = probs * fits
        probs[chords[slot]] *= 0.2
        if probs.sum() > 0:
            chords[slot] = draw(probs, rng, ctx.temperature)
    return chords


def similarity(a: list[MelodyEvent], b: list[MelodyEvent]) -> float:
    """Share of a's notes found at the same onset with the same pitch in b."""
    notes_a = {(e.onset, e.pitch) for e in a if e.pitch is not None}
    notes_b = {(e.onset, e.pitch) for e in b if e.pitch is not None}
    return len(notes_a & notes_b) / max(1, len(notes_a)) if notes_a else 0.0
