"""Stems: each part of a track rendered alone with the mix's mastering, plus its own MIDI.

write_stems() fills a folder with, per part, `NN name.flac` and `NN name.mid` (NN is the
part's place in the arrangement, the name its instrument), `mix.flac` (the whole track,
rendered the same way) and `stems.json` (what each file is, and how far the stems' sum is
from the mix).

Why FLAC, 24-bit, 48 kHz: stems are for further work in a producer's own tools, so they must
be lossless (MP3 or Opus would add their own error to every part and the sum would no longer
be the mix); FLAC is lossless like WAV at roughly half the size, which matters in an album
export with a stem set per track, and every common DAW and ffmpeg reads it. 24 bits keep
the quantisation noise ~140 dB under full scale; 48 kHz is the rate the track was rendered at.

"Sums back to the mix": the stems get the mix's fades and the mix's gain curve (mastering
is applied once, to the mix, and its gain copied onto each part; see
mastering.apply_mastering), so their sum differs from the mastered mix only by float
rounding, the mix's final clip at the ceiling, and the 24-bit rounding of the files. The
promise checked in tests, and stated in stems.json, is that the RMS of (sum of stems - mix)
is at most SUM_TOLERANCE (1%) of the mix's RMS; measured on the float buffers before
encoding it is around 1e-7, and on the decoded files a few 1e-4 (the decoder here
reads 16 bits).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pretty_midi

from generation.audio.errors import AudioError
from generation.audio.ffmpeg import FFmpegRun
from generation.audio.mastering import apply_mastering, master
from generation.audio.soundfont import soundfont_choose
from generation.audio.synth import SAMPLE_RATE, parts_of, synthesize

SUM_TOLERANCE = 0.01
MIX_FILE = "mix.flac"
MANIFEST_FILE = "stems.json"
FLAC_ARGS = ["-c:a", "flac", "-sample_fmt", "s32", "-bits_per_raw_sample", "24"]
_UNSAFE = re.compile(r"[^\w\s\-.,'()&+]")


@dataclass(frozen=True)
class Part:
    part: int  # index into synth.parts_of(midi), which is also its synth channel
    name: str  # "01 melody - fiddle": the stem's file names without the suffix
    instrument: str  # the part's own name, or its General MIDI instrument name
    program: int  # General MIDI program, 0..127 (the kit number for drums)
    is_drum: bool
    sound: str  # what plays it: the General MIDI instrument, or "drum kit"


@dataclass(frozen=True)
class Stem(Part):
    audio: str  # file name in the folder
    midi: str
    peak_dbfs: float  # after the mix's gain; the files clip at 0 dBFS


@dataclass(frozen=True)
class StemSet:
    stems: list[Stem]
    mix: str
    soundfont: str  # file name of the soundfont both the stems and the mix were rendered with
    sample_rate: int
    sum_error: float  # RMS(sum of stems - mix) / RMS(mix), on the float buffers

    def as_json(self) -> dict[str, Any]:
        return {
            "format": "albumvote-stems/1",
            **asdict(self),
            "sum_tolerance": SUM_TOLERANCE,
            "sum_rule": (
                "RMS(sum of the stems - mix) <= sum_tolerance * RMS(mix), "
                "sample by sample over the whole track"
            ),
        }


def instrument_label(inst: pretty_midi.Instrument) -> str:
    if inst.name.strip():
        return inst.name.strip()
    if inst.is_drum:
        return "drums"
    return str(pretty_midi.program_to_instrument_name(int(inst.program)))


def stem_name(part: int, inst: pretty_midi.Instrument) -> str:
    """`NN label`, safe as a file name anywhere: "melody: fiddle" becomes "melody - fiddle"."""
    label = _UNSAFE.sub("_", instrument_label(inst).replace(":", " -"))
    label = " ".join(label.split()).strip(". ")[:60] or "part"
    return f"{part + 1:02d} {label}"


def parts(midi: pretty_midi.PrettyMIDI) -> list[Part]:
    """The stems a score makes, in order, before anything is rendered."""
    return [
        Part(
            part=index,
            name=stem_name(index, inst),
            instrument=instrument_label(inst),
            program=int(inst.program),
            is_drum=bool(inst.is_drum),
            sound="drum kit"
            if inst.is_drum
            else str(pretty_midi.program_to_instrument_name(int(inst.program))),
        )
        for index, inst in enumerate(parts_of(midi))
    ]


def part_midi(midi: pretty_midi.PrettyMIDI, part: int) -> pretty_midi.PrettyMIDI:
    """The score with only one part: tempo, meter and key changes kept, so it lines up with
    the audio when both are dropped into a session at the same start."""
    alone = copy.deepcopy(midi)
    alone.instruments = [copy.deepcopy(parts_of(midi)[part])]
    return alone


def mix_error(total: np.ndarray, mix: np.ndarray) -> float:
    """RMS of (total - mix) over RMS of mix: the measure SUM_TOLERANCE bounds."""
    if total.shape != mix.shape:
        raise AudioError(f"stems and mix differ in shape: {total.shape} and {mix.shape}")
    difference = total.astype(np.float64) - mix
    mix_rms = float(np.sqrt(np.mean(np.square(mix, dtype=np.float64))))
    if mix_rms == 0.0:
        raise AudioError("the mix is silent")
    return float(np.sqrt(np.mean(np.square(difference)))) / mix_rms


def write_stems(
    midi: pretty_midi.PrettyMIDI,
    folder: Path,
    *,
    soundfont: Path | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> StemSet:
    """Write the stems, their MIDI, the mix and stems.json into `folder` (which must exist).

    At most four track-length buffers are alive at once (the mix, the running sum, the stem
    being encoded and the one being rendered), so memory does not grow with the part count.
    on_progress gets 0..1 as parts are done.
    """
    folder = Path(folder)
    soundfont = soundfont or soundfont_choose()
    planned = parts(midi)
    mix = synthesize(midi, sample_rate=SAMPLE_RATE, soundfont=soundfont)
    mastered = master(mix, sample_rate=SAMPLE_RATE)
    pending = _start_flac(mix, folder / MIX_FILE)
    total = np.zeros_like(mix)
    stems = []
    try:
        for part in planned:
            pcm = synthesize(midi, sample_rate=SAMPLE_RATE, soundfont=soundfont, part=part.part)
            apply_mastering(pcm, mastered, sample_rate=SAMPLE_RATE)
            total += pcm
            # One encode in flight beside this render: wait for the previous before the next.
            pending.wait()
            pending = _start_flac(pcm, folder / f"{part.name}.flac")
            part_midi(midi, part.part).write(str(folder / f"{part.name}.mid"))
            peak = float(np.abs(pcm).max(initial=0.0))
            stems.append(
                Stem(
                    **asdict(part),
                    audio=f"{part.name}.flac",
                    midi=f"{part.name}.mid",
                    peak_dbfs=round(20 * math.log10(peak), 2) if peak > 0 else -200.0,
                )
            )
            if on_progress is not None:
                on_progress((part.part + 1) / len(planned))
        pending.wait()
    except BaseException:
        pending.kill()
        raise
    result = StemSet(
        stems=stems,
        mix=MIX_FILE,
        soundfont=soundfont.name,
        sample_rate=SAMPLE_RATE,
        sum_error=mix_error(total, mix),
    )
    if result.sum_error > SUM_TOLERANCE:
        raise AudioError(
            f"the stems add up to the mix only within {result.sum_error:.2%} "
            f"(at most {SUM_TOLERANCE:.0%} allowed)"
        )
    (folder / MANIFEST_FILE).write_text(json.dumps(result.as_json(), indent=2), "utf-8")
    return result


def _start_flac(pcm: np.ndarray, path: Path) -> FFmpegRun:
    frames = np.ascontiguousarray(pcm, dtype=np.float32)
    args = [
        "-y",
        "-loglevel", "error",
        "-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", str(frames.shape[1]),
        "-i", "pipe:0",
        *FLAC_ARGS, "-threads", "1", "-f", "flac", f"file:{path}",
    ]  # fmt: skip
    return FFmpegRun(args, frames.data.cast("B"), what=f"encode {path.name}")
