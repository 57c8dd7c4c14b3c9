"""compose(): determinism, form, length, instrumentation and conditioning, from the MIDI."""

import io
import json
import subprocess
import sys

import numpy as np
import pretty_midi
import pytest

from generation.composer import PRESETS, ComposeParams, compose
from generation.composer.quality import melody_notes
from generation.composer.theory import METERS, tonic_pc

SEEDS = (1, 2, 3)


def section_notes(piece, label):
    """Melody (onset from the section start in ticks, pitch) of one labelled section."""
    bar_len = METERS[piece.params["meter"]][0]
    start_bar = 0
    for section in piece.sections:
        if section["label"] == label:
            lo, hi = start_bar * bar_len, (start_bar + section["bars"]) * bar_len
            return {(o - lo, p) for o, _, p in melody_notes(piece) if lo <= o < hi}
        start_bar += section["bars"]
    raise AssertionError(f"no section {label}")


def shared(a, b):
    return len(a & b) / len(a)


def test_same_params_give_identical_midi_bytes(composer_model):
    params = ComposeParams(preset="celtic_reel", seed=1234, temperature=1.3)
    first = compose(composer_model, params)
    second = compose(composer_model, params)
    assert first.midi_bytes() == second.midi_bytes()
    assert first.title == second.title and first.params == second.params


def test_different_seed_gives_different_piece(composer_model):
    one = compose(composer_model, ComposeParams(preset="irish_jig", seed=1))
    two = compose(composer_model, ComposeParams(preset="irish_jig", seed=2))
    assert one.midi_bytes() != two.midi_bytes()
    assert section_notes(one, "A") != section_notes(two, "A")


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_is_60_to_180_seconds_with_intro_sections_and_outro(composer_model, preset):
    for seed in SEEDS:
        piece = compose(composer_model, ComposeParams(preset=preset, seed=seed))
        end = piece.midi.get_end_time()
        assert 60 <= piece.duration_s <= 180
        assert abs(end - piece.duration_s) < 0.05
        labels = [s["label"] for s in piece.sections]
        assert labels[0] == "intro" and labels[-1] == "outro"
        assert {"A", "A'", "B"} <= set(labels)
        assert piece.sections[-1]["end_s"] == pytest.approx(piece.duration_s, abs=0.01)
        json.dumps(piece.params)  # JSON-serialisable
        assert piece.model_version == composer_model.version


@pytest.mark.parametrize("seconds", [60, 120, 180])
def test_target_length_is_respected_at_extreme_tempos(composer_model, seconds):
    for preset, tempo in (("celtic_reel", 220), ("chorale", 60), ("waltz", 220), ("lofi", 60)):
        piece = compose(
            composer_model,
            ComposeParams(preset=preset, seed=5, tempo_bpm=tempo, target_seconds=seconds),
        )
        assert 60 <= piece.duration_s <= 180
        assert abs(piece.duration_s - seconds) < 25, (preset, piece.duration_s)
    # At the slowest tempo the shortest form is long, but it still stays inside the bounds.
    slow = ComposeParams(preset="chorale", seed=5, tempo_bpm=40, target_seconds=seconds)
    assert 60 <= compose(composer_model, slow).duration_s <= 180


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_instrumentation_follows_the_preset(composer_model, preset):
    spec = PRESETS[preset]
    piece = compose(composer_model, ComposeParams(preset=preset, seed=11))
    by_name = {i.name: i for i in piece.midi.instruments}
    assert by_name[spec.melody.name].program == spec.melody.program
    assert by_name[spec.comp.name].program == spec.comp.program
    assert by_name[spec.bass.name].program == spec.bass.program
    drums = [i for i in piece.midi.instruments if i.is_drum]
    if spec.drums:
        assert len(drums) == 1 and len(drums[0].notes) > 50
    else:
        assert drums == []
    for instrument in piece.midi.instruments:
        assert instrument.notes, instrument.name
        if instrument.name == spec.melody.name:
            pitches = [n.pitch for n in instrument.notes]
            assert spec.melody.low <= min(pitches) and max(pitches) <= spec.melody.high


def test_presets_differ_in_instruments_meter_and_tempo(composer_model):
    pieces = {p: compose(composer_model, ComposeParams(preset=p, seed=3)) for p in PRESETS}
    programs = {p: tuple(sorted(i.program for i in x.midi.instruments)) for p, x in pieces.items()}
    assert len(set(programs.values())) == len(PRESETS)
    for name, piece in pieces.items():
        low, high = PRESETS[name].tempo_range
        assert low <= piece.tempo_bpm <= high
        signature = piece.midi.time_signature_changes[0]
        assert f"{signature.numerator}/{signature.denominator}" == PRESETS[name].meter


def test_repeated_sections_are_recognisable_and_b_differs(composer_model):
    for preset in ("celtic_reel", "irish_jig", "waltz", "lofi"):
        for seed in SEEDS:
            piece = compose(composer_model, ComposeParams(preset=preset, seed=seed))
            a, a2, b = (section_notes(piece, label) for label in ("A", "A'", "B"))
            assert a != a2, "A' should vary A"
            assert shared(a, a2) >= 0.6, (preset, seed)
            assert shared(a, b) <= 0.35, (preset, seed)


def test_chorale_variation_keeps_the_tune_and_changes_harmony(composer_model):
    piece = compose(composer_model, ComposeParams(preset="chorale", seed=4, target_seconds=170))
    assert shared(section_notes(piece, "A"), section_notes(piece, "A'")) >= 0.75
    assert "B" in [s["label"] for s in piece.sections]


def test_mode_tonic_and_tempo_are_respected(composer_model):
    for seed in SEEDS:
        piece = compose(
            composer_model,
            ComposeParams(preset="celtic_reel", seed=seed, mode="minor", tonic="E", tempo_bpm=150),
        )
        assert piece.mode == "minor" and piece.tonic == "E" and piece.key == "E minor"
        assert piece.midi.get_tempo_changes()[1][0] == pytest.approx(150)
        assert piece.midi.key_signature_changes[0].key_number == 12 + 4
        hist = np.zeros(12)
        for _, _, pitch in melody_notes(piece):
            hist[(pitch - tonic_pc("E")) % 12] += 1
        assert hist[3] > 3 * hist[4], "a minor tune uses the minor third"
        major = compose(
            composer_model, ComposeParams(preset="celtic_reel", seed=seed, mode="major")
        )
        assert major.mode == "major"


def test_seed_decides_unset_params_within_the_preset(composer_model):
    keys = set()
    for seed in range(8):
        piece = compose(composer_model, ComposeParams(preset="lofi", seed=seed))
        low, high = PRESETS["lofi"].tempo_range
        assert low <= piece.tempo_bpm <= high
        keys.add(piece.key)
        assert piece.params["tempo_bpm"] == piece.tempo_bpm
    assert len(keys) >= 3


def test_titles_are_deterministic_and_vary(composer_model):
    titles = {
        compose(composer_model, ComposeParams(preset="waltz", seed=s)).title for s in range(6)
    }
    assert len(titles) >= 4
    assert all(t and t[0].isupper() for t in titles)


def test_midi_bytes_round_trip(composer_model):
    piece = compose(composer_model, ComposeParams(preset="lofi", seed=9))
    reread = pretty_midi.PrettyMIDI(io.BytesIO(piece.midi_bytes()))
    assert len(reread.instruments) == len(piece.midi.instruments)
    assert reread.get_end_time() == pytest.approx(piece.duration_s, abs=0.05)


def test_midi_is_identical_across_processes(composer_model, composer_model_dir):
    """No hash-seed or dict-order dependence: other processes write the same bytes."""
    import hashlib
    import os

    params = ComposeParams(preset="lofi", seed=77, temperature=1.4)
    expected = hashlib.sha256(compose(composer_model, params).midi_bytes()).hexdigest()
    code = (
        "import hashlib; from pathlib import Path; "
        "from generation.composer import load_model, compose, ComposeParams; "
        f"m = load_model(Path({str(composer_model_dir)!r})); "
        "p = ComposeParams(preset='lofi', seed=77, temperature=1.4); "
        "print(hashlib.sha256(compose(m, p).midi_bytes()).hexdigest())"
    )
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        assert out.stdout.strip() == expected


def test_composing_does_not_import_music21(composer_model_dir):
    code = (
        "import sys; from pathlib import Path; "
        "from generation.composer import load_model, compose, ComposeParams; "
        f"m = load_model(Path({str(composer_model_dir)!r})); "
        "compose(m, ComposeParams(preset='chorale', seed=1)); "
        "print('music21' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
