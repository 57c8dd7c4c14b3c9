"""Waveform peaks, the energy score and tempo read from the MIDI."""

import json

import mido
import numpy as np
import pretty_midi
import pytest

from generation.audio import midi_tempo
from generation.audio.analysis import PEAK_BUCKETS, energy, waveform_peaks
from tests.generation.audio.pieces import single_part


def test_peaks_have_fixed_length_range_and_json_form():
    rng = np.random.default_rng(0)
    pcm = (rng.standard_normal((48000 * 7 + 13, 2)) * 0.2).astype(np.float32)
    peaks = waveform_peaks(pcm)
    assert len(peaks) == PEAK_BUCKETS
    assert min(peaks) >= 0.0
    assert max(peaks) == 1.0
    assert all(round(value, 3) == value for value in peaks)
    assert json.loads(json.dumps(peaks)) == peaks


def test_louder_section_has_higher_peaks():
    quiet = np.full((48000, 2), 0.1, np.float32)
    quiet[::2] *= -1
    loud = quiet * 8
    peaks = waveform_peaks(np.concatenate([quiet, loud]))
    first, second = np.mean(peaks[: PEAK_BUCKETS // 2]), np.mean(peaks[PEAK_BUCKETS // 2 :])
    assert second == pytest.approx(1.0)
    assert first == pytest.approx(0.125)


def test_peaks_see_negative_excursions_and_either_channel():
    pcm = np.zeros((8000, 2), np.float32)
    pcm[100, 1] = -0.5  # right channel, negative, inside the first of 800 ten-frame buckets
    pcm[7995, 0] = 0.25
    peaks = waveform_peaks(pcm)
    assert peaks[10] == 1.0
    assert peaks[-1] == 0.5
    assert sum(peaks) == pytest.approx(1.5)


def test_peaks_of_silence_and_of_very_short_audio():
    assert waveform_peaks(np.zeros((5000, 2), np.float32)) == [0.0] * PEAK_BUCKETS
    assert len(waveform_peaks(np.full((300, 2), 0.5, np.float32))) == PEAK_BUCKETS


def busy(notes_per_second, seconds=10.0):
    step = 1.0 / notes_per_second
    count = int(seconds * notes_per_second)
    return single_part([(60 + i % 12, i * step, i * step + step) for i in range(count)])


def test_energy_rises_with_loudness_and_with_note_density():
    sparse, dense = busy(1), busy(16)
    assert energy(source_loudness_lufs=-30, midi=sparse, duration_s=10) < energy(
        source_loudness_lufs=-30, midi=dense, duration_s=10
    )
    assert energy(source_loudness_lufs=-35, midi=sparse, duration_s=10) < energy(
        source_loudness_lufs=-15, midi=sparse, duration_s=10
    )


def test_energy_is_bounded_0_to_1():
    assert energy(source_loudness_lufs=-99, midi=pretty_midi.PrettyMIDI(), duration_s=10) == 0.0
    assert energy(source_loudness_lufs=float("-inf"), midi=busy(1), duration_s=10) >= 0.0
    assert 0.99 <= energy(source_loudness_lufs=0, midi=busy(200), duration_s=10) <= 1.0


def test_tempo_of_a_constant_tempo_piece(tmp_path):
    midi = pretty_midi.PrettyMIDI(initial_tempo=97.0)
    midi.instruments = busy(2).instruments
    assert midi_tempo(midi) == pytest.approx(97.0, abs=0.01)
    # And after a round trip through a MIDI file, which stores microseconds per beat.
    path = tmp_path / "piece.mid"
    midi.write(str(path))
    assert midi_tempo(pretty_midi.PrettyMIDI(str(path))) == pytest.approx(97.0, abs=0.01)


def test_tempo_is_the_one_that_lasts_longest(tmp_path):
    # 100 BPM for 8 beats (4.8 s), 140 BPM for the 40 beats after (about 17 s).
    song = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    song.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100), time=0))
    track.append(mido.Message("note_on", note=60, velocity=90, time=0))
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(140), time=480 * 8))
    track.append(mido.Message("note_off", note=60, velocity=0, time=480 * 40))
    path = tmp_path / "change.mid"
    song.save(str(path))
    assert midi_tempo(pretty_midi.PrettyMIDI(str(path))) == pytest.approx(140.0, abs=0.01)
