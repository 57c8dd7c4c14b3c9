"""Bach chorales (MusicXML) to Tunes: the soprano as melody, chords per beat from all voices."""

from __future__ import annotations

from typing import Any

from music21 import converter, meter, note

from .records import Tune
from .theory import TPQ, best_chord, chord_parts

_VOICE_NAMES = ("soprano", "alto", "tenor", "bass")


def _voice_parts(score: Any) -> list[Any]:
    parts = list(score.parts)
    named = {}
    for part in parts:
        name = (part.partName or "").strip().lower()
        for voice in _VOICE_NAMES:
            if name.startswith(voice) and voice not in named:
                named[voice] = part
    if len(named) == 4:
        return [named[v] for v in _VOICE_NAMES]
    # Instrumental doubling parts (horns, oboes) come first in these files.
    return parts[-4:] if len(parts) >= 4 else []


def _part_notes(part: Any) -> list[tuple[int, int, int]]:
    """(onset, duration, midi) of a voice with ties merged; rests are -1."""
    events: list[tuple[int, int, int]] = []
    tied = False
    for element in part.flatten().notesAndRests:
        if element.duration.isGrace:
            continue
        onset = round(float(element.offset) * TPQ)
        length = round(float(element.quarterLength) * TPQ)
        if length <= 0:
            continue
        if isinstance(element, note.Rest):
            midi = -1
        elif isinstance(element, note.Note):
            midi = element.pitch.midi
        else:  # a chord in one voice: its top note
            midi = max(p.midi for p in element.pitches)
        tie = element.tie.type if element.tie is not None else None
        if tied and tie in ("stop", "continue") and events and events[-1][2] == midi:
            first = events[-1]
            events[-1] = (first[0], onset + length - first[0], midi)
        else:
            events.append((onset, length, midi))
        tied = tie in ("start", "continue")
    return events


def beat_chords(
    voices: list[list[tuple[int, int, int]]], end: int, beat: int = TPQ
) -> list[tuple[int, int, str]]:
    """Template-match the pitch classes sounding in each beat to a chord.

    Notes are weighted by how long they sound inside the beat, so passing tones weigh
    less than held chord tones; the bass note at the start of the beat gets a root bonus.
    """
    chords: list[tuple[int, int, str]] = []
    for start in range(0, end, beat):
        stop = start + beat
        weights = [0.0] * 12
        bass: tuple[int, int] | None = None
        for events in voices:
            for onset, length, midi in events:
                if midi < 0 or onset >= stop or onset + length <= start:
                    continue
                weights[midi % 12] += min(stop, onset + length) - max(start, onset)
                if onset <= start < onset + length and (bass is None or midi < bass[0]):
                    bass = (midi, midi % 12)
        index = best_chord(weights, bass[1] if bass else None)
        if index is None:
            continue
        root, quality = chord_parts(index)
        chords.append((start, root, quality))
    return chords


def parse_chorale(path: str, *, name: str) -> Tune | None:
    """One chorale file to a Tune, or None if it is not a four-voice chorale."""
    score = converter.parse(path)
    parts = _voice_parts(score)
    if len(parts) != 4:
        return None
    voices = [_part_notes(part) for part in parts]
    soprano = voices[0]
    if sum(1 for n in soprano if n[2] >= 0) < 8:
        return None
    signatures = list(score.recurse().getElementsByClass(meter.TimeSignature))
    meter_name = signatures[0].ratioString if signatures else "4/4"
    found_key = score.analyze("key")
    mode = "minor" if found_key.mode == "minor" else "major"
    bar_lines = [
        round(float(measure.offset) * TPQ) for measure in parts[0].getElementsByClass("Measure")
    ]
    end = max(onset + length for onset, length, _ in soprano)
    title = str(score.metadata.title or name) if score.metadata else name
    return Tune(
        source=f"bach/{name}",
        collection="bach",
        title=title,
        style="chorale",
        meter=meter_name,
        tonic=found_key.tonic.pitchClass,
        mode=mode,
        qpm=None,
        notes=soprano,
        chords=beat_chords(voices, end),
        bar_lines=bar_lines,
        chord_source="verticalities",
    )
