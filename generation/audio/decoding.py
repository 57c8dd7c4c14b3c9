"""Reads audio files back: stream facts from `ffmpeg -i` and samples through pydub."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from generation.audio.errors import AudioError
from generation.audio.ffmpeg import ffmpeg_exe, run

_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_CONTAINER = re.compile(r"Input #0, ([\w,]+), from")
_BITRATE = re.compile(r"bitrate: (\d+) kb/s")
_AUDIO = re.compile(
    r"Stream #0:\d+\S*: Audio: (?P<codec>\w+)[^,]*, (?P<rate>\d+) Hz, (?P<layout>[^,]+)"
    r"(?P<rest>.*)"
)
_LAYOUT_CHANNELS = {
    "mono": 1, "stereo": 2, "2.1": 3, "3.0": 3, "quad": 4, "4.0": 4, "5.0": 5,
    "5.1": 6, "6.1": 7, "7.1": 8,
}  # fmt: skip


def probe(path: Path) -> dict[str, Any]:
    """Facts about the first audio stream of a file, from `ffmpeg -i` (there is no ffprobe).

    Returns duration_s (float), codec ("opus", "mp3", ...), sample_rate (Hz), channels,
    bitrate (bits per second: the stream's if ffmpeg states it, else the file's average)
    and format (the container ffmpeg detected, such as "ogg" or "mp3").
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"cannot probe {path}: no such file")
    # With no output file ffmpeg prints the input's description and exits with status 1.
    # "file:" keeps a colon in the name from being read as a protocol.
    info = run(["-i", f"file:{path}"], what=f"probe {path}", check=False)
    stream = _AUDIO.search(info)
    if stream is None:
        raise AudioError(f"{path} has no audio stream ffmpeg can read: {info[-500:]}")
    duration = _DURATION.search(info)
    if duration is not None:
        hours, minutes, seconds = duration.groups()
        duration_s = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    else:  # "Duration: N/A" (a stream without an index): count the samples instead
        samples, rate = _decode(path, stream.group("codec"))
        duration_s = len(samples) / rate
    stream_rate = re.search(r"(\d+) kb/s", stream.group("rest"))
    file_rate = _BITRATE.search(info)
    rate_match = stream_rate or file_rate
    layout = stream.group("layout").strip()
    channels_match = re.match(r"(\d+) channels", layout)
    container = _CONTAINER.search(info)
    return {
        "duration_s": round(duration_s, 3),
        "codec": stream.group("codec"),
        "sample_rate": int(stream.group("rate")),
        "channels": int(channels_match.group(1))
        if channels_match
        else _LAYOUT_CHANNELS.get(layout.split("(")[0], 0),
        "bitrate": int(rate_match.group(1)) * 1000 if rate_match else None,
        "format": container.group(1) if container else None,
    }


def decode(path: Path) -> tuple[np.ndarray, int]:
    """Decode any file ffmpeg reads to float32 samples shaped (frames, channels), and rate.

    Goes through pydub with its converter pointed at imageio-ffmpeg's binary. pydub asks
    ffprobe for the codec unless told it, and there is no ffprobe here, so the codec comes
    from probe(). pydub hands back 16-bit PCM, scaled here to -1..1.
    """
    path = Path(path)
    return _decode(path, probe(path)["codec"])


def _decode(path: Path, codec: str) -> tuple[np.ndarray, int]:
    segment_class = audio_segment_class()
    try:
        # Absolute, so a relative name like "pipe:1" cannot read as an ffmpeg protocol.
        segment = segment_class.from_file(str(path.resolve()), codec=codec)
    except Exception as exc:  # pydub raises CouldntDecodeError, or IndexError on bad WAV data
        raise AudioError(f"could not decode {path}: {exc}") from exc
    width = segment.sample_width
    dtype = {1: np.uint8, 2: np.int16, 4: np.int32}.get(width)
    if dtype is None:
        raise AudioError(f"could not decode {path}: unexpected {width}-byte samples")
    samples = np.frombuffer(segment.raw_data, dtype=dtype).astype(np.float32)
    if width == 1:
        samples = (samples - 128.0) / 128.0
    else:
        samples /= float(2 ** (8 * width - 1))
    return samples.reshape(-1, segment.channels), int(segment.frame_rate)


def audio_segment_class() -> Any:
    """pydub's AudioSegment, pointed at imageio-ffmpeg's binary (there is no ffmpeg on PATH)."""
    # pydub warns at import time when no ffmpeg is on PATH (we point it at ours instead)
    # and, on Python 3.11-3.12, that the audioop module it imports is deprecated.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg_exe()
    return AudioSegment
