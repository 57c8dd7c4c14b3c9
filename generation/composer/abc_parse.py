"""Fast ABC reading through music21's ABCHandler token layer (no Stream building).

converter.parse builds a full music21 Score and reads about 10 tunes/s; the token layer
alone reads about 250/s and already carries pitch names and quarter lengths. This module
applies what the Score builder would (tuplets, ties, grace notes, chords) and two things
it does not: accidentals carry to the end of the bar (music21 only does that for files
that declare ABC 2.x, but it is the rule every ABC standard and these books follow), and
broken rhythm ('>' '<') also applies when a decoration such as '.' sits between the
marker and the note, which is common in Ryan's Mammoth ("A>.B").
"""

from __future__ import annotations

import itertools
import re
from fractions import Fraction
from typing import Any

from music21 import abcFormat

from .records import Tune
from .theory import TPQ, parse_chord_symbol, pitch_name_to_midi, tonic_from_key_signature

_X_LINE = re.compile(r"^X:", re.MULTILINE)
_BROKEN = {
    ">": (1.5, 0.5),
    "<": (0.5, 1.5),
    ">>": (1.75, 0.25),
    "<<": (0.25, 1.75),
    ">>>": (1.875, 0.125),
    "<<<": (0.125, 1.875),
}
# R: field spellings (and title words) mapped onto the style names the model knows.
_STYLE_WORDS = (
    ("slip jig", "slipjig"),
    ("slipjig", "slipjig"),
    ("double jig", "jig"),
    ("single jig", "jig"),
    ("jig", "jig"),
    ("reel", "reel"),
    ("hornpipe", "hornpipe"),
    ("clog", "hornpipe"),
    ("strathspey", "strathspey"),
    ("fling", "strathspey"),
    ("waltz", "waltz"),
    ("march", "march"),
    ("polka", "polka"),
    ("slide", "jig"),
    ("air", "air"),
    ("lament", "air"),
    ("song", "air"),
    ("lied", "air"),
)
# Collections whose untagged tunes are songs or airs rather than dance tunes.
_COLLECTION_STYLE = {"airdsAirs": "air", "essen": "air"}


def split_tunes(text: str) -> list[str]:
    """Split an ABC book into tunes, each with the file header (before the first X:)."""
    starts = [m.start() for m in _X_LINE.finditer(text)]
    if not starts:
        return [text] if text.strip() else []
    header = text[: starts[0]]
    # Only header fields and directives apply to every tune; free text is dropped.
    header = "\n".join(
        line for line in header.splitlines() if line.startswith("%") or re.match(r"^[A-Z]:", line)
    )
    bounds = [*starts, len(text)]
    return [header + "\n" + text[a:b] for a, b in itertools.pairwise(bounds)]


def normalise_meter(raw: str) -> str:
    text = raw.strip().replace(" ", "")
    if text in ("C", "C|", "2/2", "4/4"):
        return "4/4"
    return text


def style_of(rhythm: str, title: str, collection: str) -> str:
    for source in (rhythm.lower(), title.lower()):
        for word, style in _STYLE_WORDS:
            if re.search(rf"\b{word}", source):
                return style
    return _COLLECTION_STYLE.get(collection, "")


def quarter_bpm(raw: str) -> float | None:
    """Q: field ("3/8=120", "1/4=100", "120") as quarter notes per minute."""
    match = re.search(r"(\d+)/(\d+)\s*=\s*(\d+)", raw)
    if match:
        num, den, bpm = (int(g) for g in match.groups())
        if den == 0:
            return None
        return bpm * 4 * num / den
    match = re.search(r"^\s*(\d+)\s*$", raw)
    return float(match.group(1)) if match else None


def _fix_broken_rhythm(tokens: list[Any]) -> None:
    """Apply broken-rhythm markers that the handler skipped because a decoration intervened."""
    for i, token in enumerate(tokens):
        if not isinstance(token, abcFormat.ABCBrokenRhythmMarker):
            continue
        before = tokens[i - 1] if i > 0 else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if isinstance(before, abcFormat.ABCNote) and isinstance(after, abcFormat.ABCNote):
            continue  # already applied by the handler
        left = _nearest_note(tokens, i, -1)
        right = _nearest_note(tokens, i, 1)
        factors = _BROKEN.get(getattr(token, "data", "") or token.src.strip())
        if left is None or right is None or factors is None:
            continue
        if left.brokenRhythmMarker is not None or right.brokenRhythmMarker is not None:
            continue
        left.quarterLength = left.quarterLength * factors[0]
        right.quarterLength = right.quarterLength * factors[1]


def _nearest_note(tokens: list[Any], start: int, step: int) -> abcFormat.ABCNote | None:
    i = start + step
    while 0 <= i < len(tokens):
        token = tokens[i]
        if isinstance(token, abcFormat.ABCNote):
            return None if token.inGrace else token
        if isinstance(token, abcFormat.ABCBar | abcFormat.ABCMetadata):
            return None
        i += step
    return None


def parse_tune(text: str, *, collection: str, source: str) -> Tune | None:
    """One ABC tune (with header) to a Tune, or None if it has no usable melody."""
    handler = abcFormat.ABCHandler(abcVersion=(2, 1, 0))
    handler.process(text)
    tokens: list[Any] = list(handler.tokens)
    _fix_broken_rhythm(tokens)

    title = ""
    rhythm = ""
    meter = ""
    qpm: float | None = None
    tonic: int | None = None
    mode = "major"
    first_voice: str | None = None
    in_first_voice = True

    notes: list[tuple[int, int, int]] = []
    chords: list[tuple[int, int, str]] = []
    bar_lines: list[int] = []
    offset = Fraction(0)
    tie_open = False

    for token in tokens:
        if isinstance(token, abcFormat.ABCMetadata):
            tag = token.tag
            if tag == "T" and not title:
                title = token.data.strip()
            elif tag == "R" and not rhythm:
                rhythm = token.data.strip()
            elif tag == "M" and not meter and not notes:
                meter = normalise_meter(token.data)
            elif tag == "Q" and qpm is None:
                qpm = quarter_bpm(token.data)
            elif tag == "K" and tonic is None:
                sharps, raw_mode = token.getKeySignatureParameters()
                mode = raw_mode or "major"
                tonic = tonic_from_key_signature(sharps, mode)
            elif tag == "V":
                voice = token.data.strip().split(" ")[0]
                if first_voice is None:
                    first_voice = voice
                # Later voices (drums, seconds) are not the melody.
                in_first_voice = voice == first_voice
            continue
        if not in_first_voice:
            continue
        if isinstance(token, abcFormat.ABCBar):
            tick = round(offset * TPQ)
            if not bar_lines or bar_lines[-1] != tick:
                bar_lines.append(tick)
            continue
        if not isinstance(token, abcFormat.ABCNote) or token.inGrace:
            continue

        length = Fraction(token.quarterLength).limit_denominator(1000)
        if token.activeTuplet is not None:
            length *= Fraction(token.activeTuplet.tupletMultiplier()).limit_denominator(1000)
        ticks = round(length * TPQ)
        if ticks <= 0:
            continue
        onset = round(offset * TPQ)
        offset += length

        for symbol in token.chordSymbols:
            parsed = parse_chord_symbol(symbol)
            if parsed:
                chords.append((onset, parsed[0], parsed[1]))
                break

        if isinstance(token, abcFormat.ABCChord):
            names = [
                sub.pitchName
                for sub in token.subTokens
                if isinstance(sub, abcFormat.ABCNote) and sub.pitchName
            ]
            # The melody of a double stop is its top note.
            midi = max((pitch_name_to_midi(n) for n in names), default=-1)
        elif token.isRest or token.pitchName is None:
            midi = -1
        else:
            midi = pitch_name_to_midi(token.pitchName)

        continues_tie = token.tie in ("stop", "continue") and tie_open
        if continues_tie and notes and notes[-1][2] == midi:
            last = notes[-1]
            notes[-1] = (last[0], last[1] + ticks, midi)
        else:
            notes.append((onset, ticks, midi))
        tie_open = token.tie in ("start", "continue")

    if tonic is None or sum(1 for n in notes if n[2] >= 0) < 8:
        return None
    return Tune(
        source=source,
        collection=collection,
        title=title,
        style=style_of(rhythm, title, collection),
        meter=meter or "4/4",
        tonic=tonic,
        mode=mode,
        qpm=qpm,
        notes=notes,
        chords=chords,
        bar_lines=bar_lines,
        chord_source="symbols" if chords else "",
    )


def parse_abc_file(text: str, *, collection: str, name: str) -> list[Tune]:
    """Every usable tune of an ABC file; a tune that fails to parse is skipped."""
    tunes: list[Tune] = []
    for index, chunk in enumerate(split_tunes(text)):
        try:
            tune = parse_tune(chunk, collection=collection, source=f"{collection}/{name}#{index}")
        except Exception:
            continue
        if tune is not None:
            tunes.append(tune)
    return tunes
