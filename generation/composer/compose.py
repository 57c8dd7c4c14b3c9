"""compose(): from parameters to a finished Piece, and the random-notes baseline it beats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pretty_midi

from .arrange import Arranger
from .features import PITCH_LOW
from .form import Section, bar_seconds, build_sections, plan_form, substream
from .melody import Context, MelodyEvent, Part, make_part, vary_part
from .model import ComposerModel
from .params import ComposeParams, validate_params
from .piece import Piece
from .presets import PRESETS, Preset, instrumented
from .theory import METERS, SCALE_STEPS, chord_index, tonic_name, tonic_pc
from .titles import make_title
from .tunes import sections_tune


@dataclass(frozen=True)
class Resolved:
    """Parameters with every choice made: what the caller fixed, or what the seed picked."""

    tempo_bpm: float
    mode: str
    tonic: str
    target_seconds: float


def resolve(params: ComposeParams, preset: Preset) -> Resolved:
    rng = substream(params.seed, "resolve")
    # Draw every choice even when fixed, so fixing one parameter does not change the others.
    tempo = float(round(rng.uniform(*preset.tempo_range)))
    mode = "minor" if rng.random() < preset.minor_share else "major"
    major_key = preset.major_keys[int(rng.integers(len(preset.major_keys)))]
    minor_key = preset.minor_keys[int(rng.integers(len(preset.minor_keys)))]
    seconds = float(round(rng.uniform(*preset.seconds_range)))
    mode = params.mode or mode
    tonic = params.tonic or (minor_key if mode == "minor" else major_key)
    return Resolved(
        tempo_bpm=params.tempo_bpm if params.tempo_bpm is not None else tempo,
        mode=mode,
        tonic=tonic,
        target_seconds=params.target_seconds if params.target_seconds is not None else seconds,
    )


def _melody_tonic(model: ComposerModel, preset: Preset, pc: int, mode: str) -> int:
    """The tonic's MIDI note for the melody: the octave in which most of the model's
    melody notes (for this style group and mode) fall inside the instrument's range."""
    offsets = model.reference.get("offsets", {})
    share = offsets.get(f"{preset.group}:{mode}") or offsets.get(mode)
    low, high = preset.melody.low, preset.melody.high
    centre = (low + high) / 2

    def fit(tonic: int) -> tuple[float, float]:
        inside = 0.0
        if share:
            inside = sum(p for i, p in enumerate(share) if low <= tonic + PITCH_LOW + i <= high)
        return (-round(inside, 6), abs(tonic + 5 - centre))

    candidates = [p for p in range(low - 12, high + 1) if p % 12 == pc]
    return min(candidates, key=fit)


PartMaker = Callable[[Context, np.random.Generator, int, bool], Part]
Varier = Callable[[Context, Part, np.random.Generator, float], Part]


def _model_part(ctx: Context, rng: np.random.Generator, bars: int, contrast: bool) -> Part:
    return make_part(ctx, rng, bars, contrast=contrast)


def _variation_amount(index: int) -> float:
    return min(0.3, 0.12 + 0.03 * index)


def _build(model: ComposerModel, params: ComposeParams, make: PartMaker, vary: Varier) -> Piece:
    params = validate_params(params)
    preset = PRESETS[params.preset]
    chosen = resolve(params, preset)
    pc = tonic_pc(chosen.tonic)
    melody_tonic = _melody_tonic(model, preset, pc, chosen.mode)
    ctx = Context(
        model=model,
        preset=preset,
        mode=chosen.mode,
        tempo_bpm=chosen.tempo_bpm,
        temperature=params.temperature,
        low=preset.melody.low - melody_tonic,
        high=preset.melody.high - melody_tonic,
    )
    bar_len = METERS[preset.meter][0]
    bar_s = bar_seconds(bar_len, chosen.tempo_bpm)
    plan = plan_form(bar_s, chosen.target_seconds)
    parts = {
        "A": make(ctx, substream(params.seed, "part A"), plan.part_bars, False),
        "B": make(ctx, substream(params.seed, "part B"), plan.part_bars, True),
    }

    def variant(letter: str, index: int) -> Part:
        rng = substream(params.seed, f"variation {letter}{index}")
        return vary(ctx, parts[letter], rng, _variation_amount(index))

    sections = build_sections(ctx, plan, parts, variant)
    arranger = Arranger(
        instrumented(preset, params.instrumentation),
        tonic=pc,
        melody_tonic=melody_tonic,
        tempo_bpm=chosen.tempo_bpm,
        rng=substream(params.seed, "performance"),
    )
    arranger.melody(sections)
    arranger.accompaniment(sections)
    arranger.percussion(sections)

    midi = pretty_midi.PrettyMIDI(initial_tempo=chosen.tempo_bpm)
    numerator, denominator = (int(x) for x in preset.meter.split("/"))
    midi.time_signature_changes.append(pretty_midi.TimeSignature(numerator, denominator, 0.0))
    midi.key_signature_changes.append(
        pretty_midi.KeySignature(pc + (12 if chosen.mode == "minor" else 0), 0.0)
    )
    midi.instruments.extend(arranger.instruments_in_order())

    duration = plan.total_bars * bar_s
    title = make_title(substream(params.seed, "title " + preset.name), preset.title_kind)
    return Piece(
        midi=midi,
        title=title,
        params={
            "preset": preset.name,
            "seed": params.seed,
            "temperature": params.temperature,
            "tempo_bpm": chosen.tempo_bpm,
            "mode": chosen.mode,
            "tonic": chosen.tonic,
            "meter": preset.meter,
            "target_seconds": chosen.target_seconds,
            "form": " ".join(s.label for s in sections),
            "intro_bars": plan.intro_bars,
            "section_bars": plan.section_bars,
            "outro_bars": plan.outro_bars,
            "style": preset.style,
            # Only when asked for, so resolved params of earlier tracks keep their shape.
            **({"instrumentation": params.instrumentation} if params.instrumentation else {}),
        },
        key=f"{chosen.tonic} {chosen.mode}",
        tonic=chosen.tonic,
        mode=chosen.mode,
        tempo_bpm=chosen.tempo_bpm,
        sections=_section_times(sections, bar_s),
        duration_s=round(duration, 3),
        model_version=model.version,
        instruments=[
            {"name": i.name, "program": i.program, "is_drum": i.is_drum, "notes": len(i.notes)}
            for i in midi.instruments
        ],
        tune=sections_tune(
            sections,
            preset,
            tonic=pc,
            melody_tonic=melody_tonic,
            mode=chosen.mode,
            tempo_bpm=chosen.tempo_bpm,
            title=title,
        ),
    )


def _section_times(sections: list[Section], bar_s: float) -> list[dict[str, object]]:
    return [
        {
            "label": s.label,
            "start_s": round(s.start_bar * bar_s, 3),
            "end_s": round((s.start_bar + s.bars) * bar_s, 3),
            "bars": s.bars,
        }
        for s in sections
    ]


def compose(model: ComposerModel, params: ComposeParams) -> Piece:
    """Compose one piece; the same params and model version give the same MIDI bytes."""
    return _build(model, params, _model_part, vary_part)


# --- baseline -------------------------------------------------------------------------


def _random_part(ctx: Context, rng: np.random.Generator, bars: int, contrast: bool) -> Part:
    """Uniformly random scale notes, random note lengths and random diatonic triads."""
    scale = SCALE_STEPS[ctx.mode]
    degrees = [o for o in range(ctx.low, ctx.high + 1) if o % 12 in scale]
    slots = ctx.preset.harmony_slots
    chords = []
    for _ in range(bars * slots):
        root = scale[int(rng.integers(6))]
        third = (root + 4) % 12 in scale
        chords.append(chord_index(root, "maj" if third else "min"))
    chords[-1] = chord_index(0, "min" if ctx.mode == "minor" else "maj")
    lengths = [ctx.beat_len // 2, ctx.beat_len, ctx.beat_len * 3 // 2, ctx.beat_len * 2]
    events: list[MelodyEvent] = []
    for bar in range(bars):
        tick, end = bar * ctx.bar_len, (bar + 1) * ctx.bar_len
        while tick < end:
            length = min(lengths[int(rng.integers(len(lengths)))], end - tick)
            events.append(MelodyEvent(tick, length, degrees[int(rng.integers(len(degrees)))]))
            tick += length
    return Part(bars=bars, chords=chords, events=events)


def _random_variation(ctx: Context, part: Part, rng: np.random.Generator, amount: float) -> Part:
    scale = SCALE_STEPS[ctx.mode]
    degrees = [o for o in range(ctx.low, ctx.high + 1) if o % 12 in scale]
    events = [MelodyEvent(e.onset, e.length, e.pitch) for e in part.events]
    for event in events:
        if rng.random() < amount:
            event.pitch = degrees[int(rng.integers(len(degrees)))]
    return Part(bars=part.bars, chords=list(part.chords), events=events)


def random_in_scale_baseline(params: ComposeParams, model: ComposerModel) -> Piece:
    """Random notes from the scale with the same form, length and instrumentation as
    compose(): the floor the learned model has to beat in the quality tests."""
    piece = _build(model, params, _random_part, _random_variation)
    piece.title = "Random Notes in " + tonic_name(tonic_pc(piece.tonic), piece.mode)
    return piece
