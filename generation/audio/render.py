"""The pipeline: MIDI to mastered Opus and MP3 files plus the figures the site shows."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pretty_midi

from generation.audio.analysis import energy, waveform_peaks
from generation.audio.encoding import remove_outputs, start_encode
from generation.audio.mastering import master
from generation.audio.soundfont import soundfont_choose
from generation.audio.synth import SAMPLE_RATE, synthesize


@dataclass
class RenderedAudio:
    opus_path: Path
    mp3_path: Path
    duration_s: float  # MIDI end time + synth.TAIL_S, the length of both files
    loudness_lufs: float  # integrated, BS.1770, after mastering
    peak_dbfs: float  # sample peak after mastering (at most -1.0)
    energy: float  # 0..1, see analysis.energy
    peaks: list[float]  # 0..1, analysis.PEAK_BUCKETS of them
    soundfont: str = ""  # file name of the soundfont it was rendered with
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


def render_midi(
    midi: pretty_midi.PrettyMIDI, *, opus_path: Path, mp3_path: Path, soundfont: Path | None = None
) -> RenderedAudio:
    """Render `midi` with a GM soundfont, master it and write both files.

    Duration is the MIDI's end time (pretty_midi's get_end_time()) plus synth.TAIL_S
    (1.5 s) of release tail; the last 3 s of the file fade to silence and the first 50 ms
    fade in (mastering.FADE_OUT_S, FADE_IN_S; each at most a quarter of a short file).
    Outputs are written straight to the paths given (the caller moves them into storage);
    on failure they are removed and AudioError says why. Timings holds wall-clock seconds
    for "render", "master", "analyse", "encode" (which includes the analysis, done while
    ffmpeg encodes) and "total". `soundfont` defaults to the best one installed.
    """
    opus_path, mp3_path = Path(opus_path), Path(mp3_path)
    soundfont = soundfont or soundfont_choose()
    clock = time.perf_counter
    began = clock()
    pcm = synthesize(midi, sample_rate=SAMPLE_RATE, soundfont=soundfont)
    rendered = clock()
    mastered = master(pcm, sample_rate=SAMPLE_RATE)
    mastered_at = clock()

    encoder = start_encode(pcm, sample_rate=SAMPLE_RATE, opus_path=opus_path, mp3_path=mp3_path)
    try:
        duration_s = len(pcm) / SAMPLE_RATE
        peaks = waveform_peaks(pcm)
        score = energy(
            source_loudness_lufs=mastered.source_loudness_lufs, midi=midi, duration_s=duration_s
        )
        analysed = clock()
        encoder.wait()
    except BaseException:
        encoder.kill()
        remove_outputs(opus_path, mp3_path)
        raise
    finished = clock()
    return RenderedAudio(
        opus_path=opus_path,
        mp3_path=mp3_path,
        duration_s=round(duration_s, 3),
        loudness_lufs=round(mastered.loudness_lufs, 2),
        peak_dbfs=round(mastered.peak_dbfs, 2),
        energy=score,
        peaks=peaks,
        soundfont=soundfont.name,
        timings={
            "render": rendered - began,
            "master": mastered_at - rendered,
            "analyse": analysed - mastered_at,
            "encode": finished - mastered_at,
            "total": finished - began,
        },
    )
