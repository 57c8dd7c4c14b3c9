"""Stems: each part rendered alone with the mix's mastering adds back up to the mix, from the
files as written (FLAC decoded with ffmpeg), and each part has its own MIDI file."""

import json

import numpy as np
import pretty_midi
import pytest

from generation.audio import AudioError, decode, probe, write_stems
from generation.audio.mastering import apply_mastering, master
from generation.audio.soundfont import FALLBACK
from generation.audio.stems import (
    MANIFEST_FILE,
    MIX_FILE,
    SUM_TOLERANCE,
    mix_error,
    parts,
    stem_name,
)
from generation.audio.synth import SAMPLE_RATE, parts_of, synthesize
from tests.generation.audio.pieces import dense_piece, single_part


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stems")
    midi = dense_piece(10.0)
    # Two parts that share a program must still make two stems with their own names.
    second_flute = pretty_midi.Instrument(program=73, name="melody")
    second_flute.notes = [pretty_midi.Note(80, 79, 1.0, 3.0), pretty_midi.Note(80, 81, 4.0, 6.0)]
    midi.instruments.append(second_flute)
    # An instrument without notes makes no stem.
    midi.instruments.append(pretty_midi.Instrument(program=40, name="silent strings"))
    result = write_stems(midi, folder)
    return midi, folder, result


def test_the_decoded_stems_sum_back_to_the_decoded_mix(written):
    _, folder, result = written
    mix, rate = decode(folder / MIX_FILE)
    total = np.zeros_like(mix)
    for stem in result.stems:
        samples, stem_rate = decode(folder / stem.audio)
        assert (stem_rate, samples.shape) == (rate, mix.shape)
        assert np.sqrt(np.mean(samples**2)) > 1e-3, stem.name  # every stem sounds
        total += samples
    assert rate == SAMPLE_RATE
    # The promise: RMS(sum - mix) within 1% of the mix's RMS. It holds with a wide margin.
    assert mix_error(total, mix) <= SUM_TOLERANCE
    assert mix_error(total, mix) < SUM_TOLERANCE / 10
    # Before encoding the difference is float rounding only.
    assert result.sum_error < 1e-5
    # A real test of the measure: leaving one stem out is far outside the tolerance.
    first, _ = decode(folder / result.stems[0].audio)
    assert mix_error(total - first, mix) > SUM_TOLERANCE * 10


def test_stems_are_lossless_24_bit_flac_at_the_render_rate(written):
    _, folder, result = written
    for name in [MIX_FILE, *(stem.audio for stem in result.stems)]:
        facts = probe(folder / name)
        assert (facts["codec"], facts["sample_rate"], facts["channels"]) == ("flac", 48000, 2)
    assert "24 bit" in _ffmpeg_stream(folder / MIX_FILE)


def _ffmpeg_stream(path) -> str:
    from generation.audio.ffmpeg import run

    return run(["-i", f"file:{path}"], what="probe", check=False)


def test_one_midi_file_per_part_with_its_program_and_notes(written):
    midi, folder, result = written
    playing = parts_of(midi)
    assert [stem.part for stem in result.stems] == list(range(len(playing)))
    assert len(playing) == 6  # five of the dense piece, the second flute; not the silent part
    for stem, inst in zip(result.stems, playing, strict=True):
        alone = pretty_midi.PrettyMIDI(str(folder / stem.midi))
        assert len(alone.instruments) == 1
        (part,) = alone.instruments
        assert (part.program, part.is_drum) == (inst.program, inst.is_drum)
        assert (stem.program, stem.is_drum) == (inst.program, inst.is_drum)
        assert sorted((round(n.start, 3), n.pitch, n.velocity) for n in part.notes) == sorted(
            (round(n.start, 3), n.pitch, n.velocity) for n in inst.notes
        )
        assert alone.get_tempo_changes()[1][0] == pytest.approx(120)


def test_files_are_named_by_instrument_in_arrangement_order(written):
    _, folder, result = written
    names = [stem.name for stem in result.stems]
    assert names == [
        "01 melody",
        "02 chords",
        "03 bass",
        "04 pad",
        "05 drums",
        "06 melody",
    ]
    expected = {
        MIX_FILE,
        MANIFEST_FILE,
        *(f"{n}.flac" for n in names),
        *(f"{n}.mid" for n in names),
    }
    assert {path.name for path in folder.iterdir()} == expected


def test_the_manifest_states_the_rule_and_the_figure(written):
    _, folder, result = written
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    assert manifest["format"] == "albumvote-stems/1"
    assert manifest["sum_tolerance"] == SUM_TOLERANCE
    assert manifest["sum_error"] == result.sum_error
    assert manifest["soundfont"] == result.soundfont and manifest["mix"] == MIX_FILE
    assert [s["audio"] for s in manifest["stems"]] == [s.audio for s in result.stems]
    assert all(s["peak_dbfs"] < 0 for s in manifest["stems"])


def test_unnamed_parts_take_their_general_midi_name_and_names_are_file_safe():
    piano = pretty_midi.Instrument(program=0)
    kit = pretty_midi.Instrument(program=0, is_drum=True)
    odd = pretty_midi.Instrument(program=25, name='lead: steel/"guitar"?')
    assert stem_name(0, piano) == "01 Acoustic Grand Piano"
    assert stem_name(1, kit) == "02 drums"
    assert stem_name(11, odd) == "12 lead - steel__guitar__"


def test_parts_rendered_alone_sum_to_the_whole_render():
    midi = dense_piece(6.0)
    whole = synthesize(midi, soundfont=FALLBACK)
    alone = [synthesize(midi, soundfont=FALLBACK, part=i) for i in range(len(parts_of(midi)))]
    assert mix_error(np.sum(alone, axis=0), whole) < 1e-5
    # Panning is the one of the whole render: the chords (second pitched part) lean left.
    chords = alone[1]
    assert np.sqrt(np.mean(chords[:, 0] ** 2)) > 1.2 * np.sqrt(np.mean(chords[:, 1] ** 2))


def test_the_mix_gain_applied_to_parts_gives_the_mastered_mix():
    midi = dense_piece(6.0)
    mix = synthesize(midi, soundfont=FALLBACK)
    mastered = master(mix, sample_rate=SAMPLE_RATE)
    assert mastered.knots is not None  # this piece is limited: the gain varies in time
    total = np.zeros_like(mix)
    for index in range(len(parts_of(midi))):
        part = synthesize(midi, soundfont=FALLBACK, part=index)
        apply_mastering(part, mastered, sample_rate=SAMPLE_RATE)
        total += part
    assert mix_error(total, mix) < 1e-5


def test_there_is_no_part_past_the_last():
    midi = single_part([(60, 0.0, 1.0)])
    assert [p.name for p in parts(midi)] == ["01 Acoustic Grand Piano"]
    with pytest.raises(AudioError, match="no part 1"):
        synthesize(midi, part=1)
