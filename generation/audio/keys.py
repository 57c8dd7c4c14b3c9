"""Key detection from MIDI notes (Krumhansl-Schmuckler) and Camelot wheel codes."""

from __future__ import annotations

import numpy as np
import pretty_midi

from generation.audio.errors import AudioError

# Krumhansl-Kessler probe-tone profiles, tonic first.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

# How keys are spelled in results: the usual choice of sharps or flats for each key
# signature (F# major, not Gb; Bb minor, not A#; Eb minor rather than D#).
MAJOR_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")

_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACCIDENTALS = {"#": 1, "♯": 1, "b": -1, "♭": -1}
_MODES = {"major": "major", "maj": "major", "minor": "minor", "min": "minor"}


def analyse_key(midi: pretty_midi.PrettyMIDI) -> tuple[str, str]:
    """Most likely key of the pitched notes as ("A minor", "8A").

    Krumhansl-Schmuckler: a histogram of the 12 pitch classes, each note weighted by its
    duration, correlated (Pearson) with the major and minor profiles rotated to all 12
    tonics; the best of the 24 wins. Drums carry no pitch and are left out.
    """
    histogram = pitch_class_histogram(midi)
    if not histogram.any():
        raise AudioError("the MIDI has no pitched notes to detect a key from")
    best_score, best_tonic, best_mode = -2.0, 0, "major"
    for mode, profile in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
        for tonic in range(12):
            # Rolling the profile by `tonic` puts its tonic weight on that pitch class.
            score = _correlation(histogram, np.roll(profile, tonic))
            if score > best_score:
                best_score, best_tonic, best_mode = score, tonic, mode
    names = MAJOR_NAMES if best_mode == "major" else MINOR_NAMES
    tonic_name = names[best_tonic]
    return f"{tonic_name} {best_mode}", camelot_code(tonic_name, best_mode)


def pitch_class_histogram(midi: pretty_midi.PrettyMIDI) -> np.ndarray:
    """Total sounding seconds of each pitch class C..B over all pitched instruments."""
    pitches: list[int] = []
    durations: list[float] = []
    for inst in midi.instruments:
        if inst.is_drum:
            continue
        for note in inst.notes:
            pitches.append(note.pitch)
            durations.append(max(note.end - note.start, 0.0))
    if not pitches:
        return np.zeros(12)
    return np.bincount(np.array(pitches) % 12, weights=np.array(durations), minlength=12)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum()) / denominator if denominator else -1.0


def pitch_class(tonic: str) -> int:
    """Pitch class 0..11 of a note name such as "C", "f#", "Bb", "E♭" or "Cb"."""
    name = tonic.strip()
    if not name or name[0].upper() not in _LETTERS:
        raise ValueError(f"not a note name: {tonic!r}")
    value = _LETTERS[name[0].upper()]
    for mark in name[1:]:
        if mark not in _ACCIDENTALS:
            raise ValueError(f"not a note name: {tonic!r}")
        value += _ACCIDENTALS[mark]
    return value % 12


def camelot_code(tonic: str, mode: str) -> str:
    """Camelot wheel code of a key: ("C", "major") -> "8B", ("A", "minor") -> "8A".

    Accepts sharps and flats ("F#", "Gb" and "F♯" are the same key). Moving one step
    round the wheel is a fifth, so the number is 7 x pitch class, offset so that C major
    lands on 8; a minor key shares its number with its relative major (3 semitones up).
    """
    normalised = _MODES.get(mode.strip().lower())
    if normalised is None:
        raise ValueError(f"mode must be major or minor, not {mode!r}")
    major_tonic = pitch_class(tonic) + (3 if normalised == "minor" else 0)
    number = (7 * major_tonic + 8) % 12 or 12
    return f"{number}{'A' if normalised == 'minor' else 'B'}"
