"""A composed piece's melody and harmony as a training tune (records.Tune), so generated
tracks the crowd approved can be counted beside the corpus (train.train_from_tunes).

Built from the sections compose() planned, not read back from the MIDI: the notes are the
model's own symbols (ticks, pitches, chord ids) without swing, legato or voicing to undo,
and no MIDI parser (music21) is needed in a worker.
"""

from __future__ import annotations

from .form import Section
from .presets import Preset
from .records import Tune
from .theory import METERS, chord_parts

COLLECTION = "crowd"  # what by_collection calls the generated tracks in a model's info
REST = -1


def melody_pitch(preset: Preset, melody_tonic: int, offset: int) -> int:
    """The MIDI note of a melody offset, folded into the melody instrument's range (the one
    rule the arranger and this module share)."""
    pitch = melody_tonic + offset
    while pitch < preset.melody.low:
        pitch += 12
    while pitch > preset.melody.high:
        pitch -= 12
    return pitch


def sections_tune(
    sections: list[Section],
    preset: Preset,
    *,
    tonic: int,
    melody_tonic: int,
    mode: str,
    tempo_bpm: float,
    title: str,
) -> Tune:
    """The melody sections (everything after the intro, which has no melody) as one tune:
    notes in ticks from the first melody bar, rests as -1, a bar line on every bar, and the
    planned chord of every harmony slot as a chord symbol."""
    bar_len = METERS[preset.meter][0]
    slot_len = bar_len // preset.harmony_slots
    sung = [s for s in sections if s.melody]
    origin = sung[0].start_bar * bar_len if sung else 0
    notes: list[tuple[int, int, int]] = []
    chords: list[tuple[int, int, str]] = []
    end = 0
    for section in sung:
        base = section.start_bar * bar_len - origin
        for event in section.melody:
            midi = REST if event.pitch is None else melody_pitch(preset, melody_tonic, event.pitch)
            notes.append((base + event.onset, event.length, midi))
        for slot, chord in enumerate(section.chords):
            root, quality = chord_parts(chord)
            chords.append((base + slot * slot_len, (tonic + root) % 12, quality))
        end = max(end, base + section.bars * bar_len)
    notes.sort()
    return Tune(
        source="",
        collection=COLLECTION,
        title=title,
        style=preset.style,
        meter=preset.meter,
        tonic=tonic,
        mode=mode,
        qpm=tempo_bpm,
        notes=notes,
        chords=chords,
        bar_lines=list(range(0, end + 1, bar_len)),
        # Chorale harmony changes on the beat, as the chorale corpus's verticalities do.
        chord_source="verticalities" if preset.style == "chorale" else "symbols",
    )
