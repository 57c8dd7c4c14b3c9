"""Audio pipeline: renders MIDI with a GM soundfont, masters, encodes and analyses it.

render_midi() does the whole job for one track, write_stems() renders its parts one by one;
soundfont_choose() picks the soundfont; analyse_key(), camelot_code() and midi_tempo() read
facts from the MIDI itself; decode() and probe() read files back.
"""

from generation.audio.analysis import midi_tempo
from generation.audio.decoding import decode, probe
from generation.audio.errors import AudioError
from generation.audio.keys import analyse_key, camelot_code
from generation.audio.render import RenderedAudio, render_midi
from generation.audio.soundfont import soundfont_choose, soundfont_named
from generation.audio.stems import StemSet, write_stems
from generation.audio.synth import SAMPLE_RATE

__all__ = [
    "SAMPLE_RATE",
    "AudioError",
    "RenderedAudio",
    "StemSet",
    "analyse_key",
    "camelot_code",
    "decode",
    "midi_tempo",
    "probe",
    "render_midi",
    "soundfont_choose",
    "soundfont_named",
    "write_stems",
]
