"""Key detection from MIDI notes and the Camelot wheel."""

import pretty_midi
import pytest

from generation.audio import AudioError, analyse_key, camelot_code
from generation.audio.keys import pitch_class_histogram
from tests.generation.audio.pieces import (
    HARMONIC_MINOR_SCALE,
    MAJOR_SCALE,
    cadence_piece,
    scale_piece,
    single_part,
)

# The Camelot wheel as DJ software prints it, one key per code.
WHEEL = {
    "1A": ("G#", "minor"), "1B": ("B", "major"),
    "2A": ("Eb", "minor"), "2B": ("F#", "major"),
    "3A": ("Bb", "minor"), "3B": ("Db", "major"),
    "4A": ("F", "minor"), "4B": ("Ab", "major"),
    "5A": ("C", "minor"), "5B": ("Eb", "major"),
    "6A": ("G", "minor"), "6B": ("Bb", "major"),
    "7A": ("D", "minor"), "7B": ("F", "major"),
    "8A": ("A", "minor"), "8B": ("C", "major"),
    "9A": ("E", "minor"), "9B": ("G", "major"),
    "10A": ("B", "minor"), "10B": ("D", "major"),
    "11A": ("F#", "minor"), "11B": ("A", "major"),
    "12A": ("C#", "minor"), "12B": ("E", "major"),
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(WHEEL))
def test_camelot_code_matches_the_wheel_for_all_24_keys(code):
    tonic, mode = WHEEL[code]
    assert camelot_code(tonic, mode) == code


@pytest.mark.parametrize(
    ("tonic", "mode", "code"),
    [
        ("Gb", "major", "2B"),  # enharmonic of F#
        ("D#", "minor", "2A"),  # enharmonic of Eb minor
        ("Ab", "minor", "1A"),  # enharmonic of G#
        ("A#", "minor", "3A"),
        ("C#", "major", "3B"),
        ("Cb", "major", "1B"),  # = B
        ("E#", "minor", "4A"),  # = F
        ("f♯", "Minor", "11A"),
        ("B♭", "maj", "6B"),
        ("c", "min", "5A"),
    ],
)
def test_camelot_code_accepts_sharps_flats_and_spellings(tonic, mode, code):
    assert camelot_code(tonic, mode) == code


@pytest.mark.parametrize(
    ("tonic", "mode"), [("H", "major"), ("C", "dorian"), ("", "major"), ("Cx", "minor")]
)
def test_camelot_code_rejects_what_is_not_a_key(tonic, mode):
    with pytest.raises(ValueError):
        camelot_code(tonic, mode)


@pytest.mark.parametrize(
    ("piece", "expected"),
    [
        (scale_piece(60, MAJOR_SCALE), ("C major", "8B")),
        (scale_piece(67, MAJOR_SCALE), ("G major", "9B")),
        (scale_piece(66, MAJOR_SCALE), ("F# major", "2B")),
        (scale_piece(63, MAJOR_SCALE), ("Eb major", "5B")),
        (scale_piece(57, HARMONIC_MINOR_SCALE), ("A minor", "8A")),
        (scale_piece(58, HARMONIC_MINOR_SCALE), ("Bb minor", "3A")),
        (scale_piece(61, HARMONIC_MINOR_SCALE), ("C# minor", "12A")),
        (cadence_piece(60, minor=False), ("C major", "8B")),
        (cadence_piece(54, minor=False), ("F# major", "2B")),
        (cadence_piece(57, minor=True), ("A minor", "8A")),
        (cadence_piece(58, minor=True), ("Bb minor", "3A")),
        (cadence_piece(56, minor=True), ("G# minor", "1A")),
        (cadence_piece(64, minor=True), ("E minor", "9A")),
    ],
)
def test_analyse_key_finds_known_keys(piece, expected):
    assert analyse_key(piece) == expected


def test_drums_do_not_count_towards_the_key():
    piece = cadence_piece(60, minor=False)
    # Long hits on F#, C# and A# (GM hi-hat, side stick, open hi-hat): as pitches they
    # would pull the estimate towards F# major.
    kit = pretty_midi.Instrument(program=0, is_drum=True)
    kit.notes = [pretty_midi.Note(100, pitch, 0.0, 8.0) for pitch in (42, 37, 46) * 4]
    piece.instruments.append(kit)
    assert analyse_key(piece) == ("C major", "8B")
    kit.is_drum = False
    assert analyse_key(piece) != ("C major", "8B")


def test_histogram_weights_pitch_classes_by_duration():
    piece = single_part([(60, 0.0, 2.0), (72, 3.0, 3.5), (64, 2.0, 2.25), (71, 4.0, 5.0)])
    histogram = pitch_class_histogram(piece)
    assert histogram[0] == pytest.approx(2.5)  # C4 and C5
    assert histogram[4] == pytest.approx(0.25)
    assert histogram[11] == pytest.approx(1.0)
    assert histogram.sum() == pytest.approx(3.75)


def test_key_of_a_drum_only_piece_is_an_error():
    with pytest.raises(AudioError, match="no pitched notes"):
        analyse_key(single_part([(36, 0.0, 1.0)], is_drum=True))
