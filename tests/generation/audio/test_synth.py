"""MIDI to PCM: programs, drums, pan, controllers, pitch bend, sustain and length."""

import numpy as np
import pretty_midi
import pytest

from generation.audio import AudioError
from generation.audio.synth import SAMPLE_RATE, TAIL_S, synthesize
from tests.generation.audio.pieces import held_note, single_part

ORGAN = 19  # no decay, so level measurements do not depend on when they are taken
FLUTE = 73  # nearly a sine: its spectral peak is its pitch


def window(pcm, start, end):
    return pcm[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]


def rms(pcm):
    return float(np.sqrt(np.mean(np.square(pcm, dtype=np.float64))))


def dominant_hz(pcm):
    mono = pcm.mean(axis=1) * np.hanning(len(pcm))
    spectrum = np.abs(np.fft.rfft(mono, n=len(mono) * 4))
    freqs = np.fft.rfftfreq(len(mono) * 4, 1 / SAMPLE_RATE)
    band = (freqs > 200) & (freqs < 1000)
    return float(freqs[band][np.argmax(spectrum[band])])


def test_length_is_end_time_plus_tail():
    midi = held_note(2.0)
    pcm = synthesize(midi)
    assert pcm.dtype == np.float32
    assert pcm.shape == (int(np.ceil((2.0 + TAIL_S) * SAMPLE_RATE)), 2)
    assert rms(window(pcm, 0.5, 1.5)) > 0.01


def test_empty_midi_is_an_error():
    with pytest.raises(AudioError, match="no notes"):
        synthesize(pretty_midi.PrettyMIDI())
    midi = pretty_midi.PrettyMIDI()
    midi.instruments.append(pretty_midi.Instrument(program=0))
    with pytest.raises(AudioError, match="no notes"):
        synthesize(midi)


def test_drum_part_plays_the_drum_kit_not_the_program():
    notes = [(36, 0.0, 1.0)]  # kick drum on the GM kit, C2 on a piano
    drums = synthesize(single_part(notes, program=0, is_drum=True))
    piano = synthesize(single_part(notes, program=0))
    assert rms(window(drums, 0.0, 0.2)) > 0.01
    # A kick dies away within a few hundred milliseconds; a held piano C2 is still ringing.
    assert rms(window(drums, 0.6, 0.9)) < 0.2 * rms(window(piano, 0.6, 0.9))


def test_pitch_bend_moves_the_pitch():
    midi = single_part([(69, 0.0, 1.0)], program=FLUTE)  # A4, 440 Hz
    plain = dominant_hz(window(synthesize(midi), 0.3, 0.9))
    # +4096 of the +/-8192 range is one semitone at the default two-semitone bend range.
    midi.instruments[0].pitch_bends.append(pretty_midi.PitchBend(4096, 0.0))
    bent = dominant_hz(window(synthesize(midi), 0.3, 0.9))
    assert plain == pytest.approx(440.0, abs=4.0)
    assert bent == pytest.approx(440.0 * 2 ** (1 / 12), abs=4.0)


def test_pitch_bend_range_set_by_rpn_is_honoured():
    midi = single_part([(69, 0.0, 1.0)], program=FLUTE)
    part = midi.instruments[0]
    # RPN 0 (pitch bend range) = 12 semitones: select the RPN, then data entry. The three
    # controllers share a time, so they only work if they are sent in this order.
    for number, value in ((101, 0), (100, 0), (6, 12)):
        part.control_changes.append(pretty_midi.ControlChange(number, value, 0.0))
    part.pitch_bends.append(pretty_midi.PitchBend(8191, 0.0))
    assert dominant_hz(window(synthesize(midi), 0.3, 0.9)) == pytest.approx(880.0, abs=8.0)


def test_volume_controller_lowers_the_part():
    loud = single_part([(60, 0.0, 1.0)], program=ORGAN)
    quiet = single_part([(60, 0.0, 1.0)], program=ORGAN)
    quiet.instruments[0].control_changes.append(pretty_midi.ControlChange(7, 30, 0.0))
    ratio = rms(window(synthesize(quiet), 0.3, 0.9)) / rms(window(synthesize(loud), 0.3, 0.9))
    assert ratio < 0.3


def test_pan_controller_is_respected():
    midi = single_part([(60, 0.0, 1.0)], program=ORGAN)
    midi.instruments[0].control_changes.append(pretty_midi.ControlChange(10, 127, 0.0))
    pcm = window(synthesize(midi), 0.3, 0.9)
    assert rms(pcm[:, 1]) > 5 * rms(pcm[:, 0])


def test_unpanned_parts_are_spread_and_may_share_a_program():
    # Two organ parts taking turns: the first (the lead) sits in the centre, the second is
    # moved off centre so the parts do not pile up in the middle.
    midi = pretty_midi.PrettyMIDI()
    for start in (0.0, 1.0):
        part = pretty_midi.Instrument(program=ORGAN)
        part.notes.append(pretty_midi.Note(100, 60, start, start + 0.8))
        midi.instruments.append(part)
    pcm = synthesize(midi)
    lead, second = window(pcm, 0.2, 0.7), window(pcm, 1.2, 1.7)
    assert rms(lead[:, 0]) == pytest.approx(rms(lead[:, 1]), rel=0.1)
    assert rms(second[:, 0]) > 1.3 * rms(second[:, 1])


def test_bass_and_drums_stay_centred():
    midi = pretty_midi.PrettyMIDI()
    lead = pretty_midi.Instrument(program=ORGAN)
    lead.notes.append(pretty_midi.Note(100, 72, 0.0, 0.5))
    bass = pretty_midi.Instrument(program=33)  # would get the first off-centre slot
    bass.notes.append(pretty_midi.Note(100, 40, 1.0, 1.8))
    midi.instruments += [lead, bass]
    part = window(synthesize(midi), 1.1, 1.6)
    assert rms(part[:, 0]) == pytest.approx(rms(part[:, 1]), rel=0.1)


def test_sustain_pedal_holds_notes_until_it_lifts():
    def render(pedal):
        midi = single_part([(60, 0.0, 0.3)], program=ORGAN)
        if pedal:
            changes = midi.instruments[0].control_changes
            changes.append(pretty_midi.ControlChange(64, 127, 0.0))
            changes.append(pretty_midi.ControlChange(64, 0, 1.5))
        return synthesize(midi)

    held, released = render(True), render(False)
    assert rms(window(held, 1.0, 1.4)) > 0.01
    assert rms(window(released, 1.0, 1.4)) < 0.1 * rms(window(held, 1.0, 1.4))
    # After the pedal lifts the note stops too.
    assert rms(window(held, 2.3, 2.8)) < 0.1 * rms(window(held, 1.0, 1.4))


def test_overlapping_notes_on_one_key_end_at_their_own_times():
    # The first note's note-off at 1.0 s ends the first note only: the second, held to
    # 2.0 s, plays on alone, exactly as if it had been the only note.
    both = synthesize(single_part([(60, 0.0, 1.0), (60, 0.5, 2.0)], program=ORGAN))
    alone = synthesize(single_part([(60, 0.5, 2.0)], program=ORGAN))
    assert rms(window(both, 1.3, 1.8)) == pytest.approx(rms(window(alone, 1.3, 1.8)), rel=0.05)


def test_more_than_sixteen_parts_keep_their_own_channel_state():
    # Nineteen parts muted by their volume controller, and a twentieth left at full
    # volume: with only 16 MIDI channels it would share a channel with a muted part.
    midi = pretty_midi.PrettyMIDI()
    for index in range(20):
        part = pretty_midi.Instrument(program=ORGAN)
        if index < 19:
            part.control_changes.append(pretty_midi.ControlChange(7, 0, 0.0))
            part.notes.append(pretty_midi.Note(90, 48 + index, 0.0, 0.5))
        else:
            part.notes.append(pretty_midi.Note(90, 72, 2.0, 2.5))
        midi.instruments.append(part)
    pcm = synthesize(midi)
    assert rms(window(pcm, 0.1, 0.4)) < 1e-4
    assert rms(window(pcm, 2.1, 2.4)) > 0.01
