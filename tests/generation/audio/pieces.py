"""Synthetic MIDI for the audio tests and benchmark, built with pretty_midi alone."""

from __future__ import annotations

import numpy as np
import pretty_midi

MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
HARMONIC_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 11)


def single_part(
    notes: list[tuple[int, float, float]],
    *,
    program: int = 0,
    velocity: int = 100,
    is_drum: bool = False,
    tempo: float = 120.0,
) -> pretty_midi.PrettyMIDI:
    """One instrument playing (pitch, start, end) notes."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    part = pretty_midi.Instrument(program=program, is_drum=is_drum)
    part.notes = [pretty_midi.Note(velocity, pitch, start, end) for pitch, start, end in notes]
    midi.instruments.append(part)
    return midi


def held_note(seconds: float, *, pitch: int = 60, program: int = 19) -> pretty_midi.PrettyMIDI:
    """One note held from 0 for `seconds` (church organ by default: it does not decay)."""
    return single_part([(pitch, 0.0, seconds)], program=program)


def scale_piece(tonic: int, scale: tuple[int, ...], *, octaves: int = 2) -> pretty_midi.PrettyMIDI:
    """The scale up and down over `octaves`, landing on a long tonic (tonic = MIDI pitch)."""
    steps = [tonic + 12 * octave + degree for octave in range(octaves) for degree in scale]
    line = [*steps, tonic + 12 * octaves, *reversed(steps)]
    notes = [(pitch, i * 0.25, (i + 1) * 0.25) for i, pitch in enumerate(line)]
    notes.append((tonic, len(line) * 0.25, len(line) * 0.25 + 1.0))
    return single_part(notes)


def cadence_piece(tonic: int, *, minor: bool) -> pretty_midi.PrettyMIDI:
    """I-IV-V-I (or i-iv-V-i with the raised leading tone) as block chords over a bass."""
    third = 3 if minor else 4
    sixth = 8 if minor else 9
    chords = [
        (0, third, 7),  # I / i
        (5, sixth, 12),  # IV / iv
        (7, 11, 14),  # V (major in both modes)
        (0, third, 7),
    ]
    notes: list[tuple[int, float, float]] = []
    for bar, chord in enumerate(chords * 2):
        start, end = bar * 1.0, bar * 1.0 + 1.0
        notes.extend((tonic + 12 + interval, start, end) for interval in chord)
        notes.append((tonic - 12 + chord[0] % 12, start, end))
    return single_part(notes)


def dense_piece(
    seconds: float = 120.0, *, tempo: float = 120.0, seed: int = 1
) -> pretty_midi.PrettyMIDI:
    """A busy five-part General MIDI arrangement: the worst case for render speed.

    Melody (flute, 16ths), chords (piano, 8th-note triads), bass (finger bass, 8ths),
    pad (warm pad, whole-bar 4-note chords) and drums (16th hats, kick, snare, crashes):
    about 37 notes a second.
    """
    rng = np.random.default_rng(seed)
    midi = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    melody = pretty_midi.Instrument(program=73, name="melody")
    chords = pretty_midi.Instrument(program=0, name="chords")
    bass = pretty_midi.Instrument(program=33, name="bass")
    pad = pretty_midi.Instrument(program=89, name="pad")
    drums = pretty_midi.Instrument(program=0, is_drum=True, name="drums")
    beat = 60.0 / tempo
    bar = 4 * beat
    progression = [(0, 4, 7, 11), (9, 12, 16, 19), (5, 9, 12, 16), (7, 11, 14, 17)]
    start = 0.0
    index = 0
    while start < seconds - 1e-9:
        chord = progression[index % len(progression)]
        pad.notes.extend(pretty_midi.Note(64, 48 + p, start, start + bar) for p in chord)
        for eighth in range(8):
            at = start + eighth * beat / 2
            velocity = int(rng.integers(70, 95))
            chords.notes.extend(
                pretty_midi.Note(velocity, 60 + p, at, at + beat / 2) for p in chord[:3]
            )
            bass.notes.append(pretty_midi.Note(100, 36 + chord[0], at, at + beat * 0.45))
        for sixteenth in range(16):
            at = start + sixteenth * beat / 4
            pitch = 72 + MAJOR_SCALE[int(rng.integers(0, 7))]
            melody.notes.append(
                pretty_midi.Note(int(rng.integers(70, 110)), pitch, at, at + beat / 4)
            )
            drums.notes.append(pretty_midi.Note(int(rng.integers(60, 90)), 42, at, at + 0.05))
            if sixteenth % 4 == 0:
                drums.notes.append(pretty_midi.Note(110, 36, at, at + 0.1))
            if sixteenth % 8 == 4:
                drums.notes.append(pretty_midi.Note(105, 38, at, at + 0.1))
        if index % 4 == 0:
            drums.notes.append(pretty_midi.Note(100, 49, start, start + 0.5))
        start += bar
        index += 1
    midi.instruments = [melody, chords, bass, pad, drums]
    return midi
