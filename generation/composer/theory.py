"""Pitch, key, meter and chord vocabulary shared by training and composing (no music21)."""

from __future__ import annotations

import re

# Ticks per quarter note for every duration the composer stores: 24 holds sixteenths,
# thirty-seconds and eighth-note triplets exactly.
TPQ = 24

PITCH_CLASS_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_TONIC_RE = re.compile(r"^([A-Ga-g])(#{1,2}|b{1,2}|-{1,2}|)$")
_PITCH_RE = re.compile(r"^([A-G])([#\-n]*)(-?\d+)$")

MODES = ("major", "minor")
# Church modes fold onto the two modes the model knows; the pitch offsets keep their
# colour (a dorian tune still has its raised sixth), only the conditioning is shared.
MODE_FAMILY = {
    "major": "major",
    "ionian": "major",
    "mixolydian": "major",
    "lydian": "major",
    "minor": "minor",
    "aeolian": "minor",
    "dorian": "minor",
    "phrygian": "minor",
    "locrian": "minor",
}
# Semitones from the relative major's tonic to each mode's tonic.
MODE_OFFSET = {
    "major": 0,
    "ionian": 0,
    "dorian": 2,
    "phrygian": 4,
    "lydian": 5,
    "mixolydian": 7,
    "minor": 9,
    "aeolian": 9,
    "locrian": 11,
}
SCALE_STEPS = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    # Natural minor plus the raised seventh, as folk and chorale minor both use it.
    "minor": (0, 2, 3, 5, 7, 8, 10),
}

# Chord qualities the harmony model knows, as intervals above the root.
QUALITIES = ("maj", "min", "dom7", "dim")
QUALITY_INTERVALS = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dom7": (0, 4, 7, 10),
    "dim": (0, 3, 6),
}
N_CHORDS = 12 * len(QUALITIES)

# Meters the composer writes, as bar length in ticks and beat (pulse) length in ticks.
METERS = {
    "4/4": (4 * TPQ, TPQ),
    "2/4": (2 * TPQ, TPQ),
    "3/4": (3 * TPQ, TPQ),
    "6/8": (3 * TPQ, 3 * TPQ // 2),
    "9/8": (9 * TPQ // 2, 3 * TPQ // 2),
}
TEMPO_BANDS = ("slow", "medium", "fast")


def tempo_band(quarter_bpm: float) -> str:
    """Band of a tempo in quarter notes per minute; the rhythm model is conditioned on it."""
    if quarter_bpm < 100:
        return "slow"
    if quarter_bpm < 150:
        return "medium"
    return "fast"


def tonic_pc(name: str) -> int:
    """Pitch class of a tonic name such as "F#", "Bb" or "e"; ValueError if not a name."""
    match = _TONIC_RE.match(name.strip())
    if not match:
        raise ValueError(f"not a note name: {name!r}")
    letter, accidentals = match.groups()
    shift = accidentals.count("#") - accidentals.count("b") - accidentals.count("-")
    return (_LETTER_PC[letter.upper()] + shift) % 12


def tonic_name(pc: int, mode: str) -> str:
    """Conventional spelling of a tonic: flats for flat keys, sharps for sharp keys."""
    pc %= 12
    if mode == "minor":
        names = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
    else:
        names = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
    return names[pc]


def pitch_name_to_midi(name: str) -> int:
    """MIDI number of a music21 pitch name such as "C#5", "B-3" or "Fn4" (C4 = 60)."""
    match = _PITCH_RE.match(name)
    if not match:
        raise ValueError(f"not a pitch name: {name!r}")
    letter, accidentals, octave = match.groups()
    shift = accidentals.count("#") - accidentals.count("-")
    return 12 * (int(octave) + 1) + _LETTER_PC[letter] + shift


def tonic_from_key_signature(sharps: int, mode: str) -> int:
    """Tonic pitch class from a key signature (sharps > 0, flats < 0) and a mode."""
    return (7 * sharps + MODE_OFFSET.get(mode, 0)) % 12


def chord_index(root_rel: int, quality: str) -> int:
    """Chord symbol id: root relative to the tonic (0..11) and quality."""
    return (root_rel % 12) * len(QUALITIES) + QUALITIES.index(quality)


def chord_parts(index: int) -> tuple[int, str]:
    """Inverse of chord_index: (root relative to tonic, quality)."""
    return index // len(QUALITIES), QUALITIES[index % len(QUALITIES)]


def chord_pitch_classes(index: int) -> tuple[int, ...]:
    """Pitch classes (relative to the tonic) sounding in a chord id."""
    root, quality = chord_parts(index)
    return tuple((root + step) % 12 for step in QUALITY_INTERVALS[quality])


def best_chord(weights: list[float], bass_pc: int | None = None) -> int | None:
    """Template match: the chord id whose tones best cover pitch-class weights.

    Score = weight on chord tones - weight off them, with a small bonus when the
    lowest sounding note is the root, and a small cost for the seventh chord so a plain
    triad wins when the seventh is not sounding.
    """
    total = sum(weights)
    if total <= 0:
        return None
    best: tuple[float, int] | None = None
    for index in range(N_CHORDS):
        tones = chord_pitch_classes(index)
        inside = sum(weights[pc] for pc in tones)
        score = 2 * inside - total
        root, quality = chord_parts(index)
        if bass_pc is not None and bass_pc == root:
            score += 0.25 * total
        if quality == "dom7":
            score -= 0.1 * total
            if weights[(root + 10) % 12] <= 0:
                score -= total
        if quality == "dim":
            score -= 0.05 * total
        if any(weights[pc] <= 0 for pc in tones[:3]):
            # A triad missing a tone is ambiguous; prefer chords fully sounded.
            score -= 0.15 * total
        if best is None or score > best[0]:
            best = (score, index)
    return best[1] if best else None


_CHORD_SYMBOL_RE = re.compile(
    r"^([A-G])([#b]?)(maj7|maj|M7|m7b5|min7|min|m7|m|dim7|dim|o7|o|aug|\+|sus4|sus2|sus|7|9|6)?"
    r"(\d*)(/.*)?$"
)


def parse_chord_symbol(text: str) -> tuple[int, str] | None:
    """(root pitch class, quality) of a lead-sheet chord such as "D7", "Em", "F#m/A".

    Returns None for annotations, fingerings and anything else that is not a chord.
    """
    cleaned = text.strip().strip('"').replace("(", "").replace(")", "").strip()
    match = _CHORD_SYMBOL_RE.match(cleaned)
    if not match:
        return None
    letter, accidental, kind, extension, _bass = match.groups()
    root = (_LETTER_PC[letter] + (1 if accidental == "#" else -1 if accidental == "b" else 0)) % 12
    kind = kind or ""
    if kind in ("m", "min", "m7", "min7"):
        quality = "min"
    elif kind in ("dim", "o", "dim7", "o7", "m7b5"):
        quality = "dim"
    elif kind == "7" or (kind == "" and extension in ("7", "9")) or kind == "9":
        quality = "dom7"
    else:
        quality = "maj"
    return root, quality
