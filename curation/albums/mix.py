"""The album as one continuous mix: tracks decoded with pydub, crossfaded, encoded to MP3.

Only two tracks are decoded at a time and the mixed audio goes to a raw PCM file piece by
piece, so an hour-long album never sits in memory whole (pydub's own `append` copies the
whole mix at every join, which grows quadratically with the album).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generation.audio.decoding import audio_segment_class
from generation.audio.encoding import MP3_ARGS
from generation.audio.errors import AudioError
from generation.audio.ffmpeg import run

# Long enough to hear one track hand over to the next, short enough to keep every ending.
CROSSFADE_S = 3.0
SAMPLE_RATE = 44_100
CHANNELS = 2
SAMPLE_WIDTH = 2  # bytes: 16-bit PCM, what pydub works in


@dataclass(frozen=True)
class MixResult:
    duration_s: float
    # Where each track starts in the mix, in seconds (the CUE sheet's INDEX 01).
    starts: list[float]
    crossfades_s: list[float]


def load(path: Path) -> Any:
    """One track's MP3 as 44.1 kHz stereo 16-bit, whatever it was encoded at."""
    segment_class = audio_segment_class()
    try:
        # The codec is named so that pydub does not ask ffprobe (which is not installed).
        segment = segment_class.from_file(str(Path(path).resolve()), format="mp3", codec="mp3")
    except Exception as exc:  # pydub raises CouldntDecodeError, among others
        raise AudioError(f"could not decode {Path(path).name}: {exc}") from exc
    return segment.set_frame_rate(SAMPLE_RATE).set_channels(CHANNELS).set_sample_width(SAMPLE_WIDTH)


def crossfade_ms(left_ms: int, right_ms: int, crossfade_s: float) -> int:
    # A very short track cannot give more than half of itself to each neighbour.
    return max(0, min(round(crossfade_s * 1000), left_ms // 2, right_ms // 2))


def build(
    sources: Sequence[Path],
    out_path: Path,
    *,
    crossfade_s: float = CROSSFADE_S,
    on_progress: Callable[[float], None] | None = None,
) -> MixResult:
    """Crossfade `sources` (MP3 files, in order) into one MP3 at `out_path`.

    on_progress gets 0..1 as tracks are mixed; encoding is the last tenth.
    """
    if not sources:
        raise AudioError("a mix needs at least one track")
    out_path = Path(out_path)
    raw_path = out_path.with_name(out_path.name + ".pcm")
    starts: list[float] = []
    fades: list[float] = []
    written_ms = 0
    try:
        with raw_path.open("wb") as raw:
            rest = load(sources[0])
            starts.append(0.0)
            if on_progress is not None:
                on_progress(0.9 / len(sources))
            for index, source in enumerate(sources[1:], start=1):
                following = load(source)
                fade = crossfade_ms(len(rest), len(following), crossfade_s)
                body = rest[: len(rest) - fade]
                raw.write(body.raw_data)
                written_ms += len(body)
                starts.append(written_ms / 1000)
                if fade:
                    joined = rest[len(rest) - fade :].append(following[:fade], crossfade=fade)
                    raw.write(joined.raw_data)
                    written_ms += len(joined)
                fades.append(fade / 1000)
                rest = following[fade:]
                if on_progress is not None:
                    on_progress(0.9 * (index + 1) / len(sources))
            raw.write(rest.raw_data)
            written_ms += len(rest)
        if on_progress is not None:
            on_progress(0.9)
        encode_mp3(raw_path, out_path)
    finally:
        raw_path.unlink(missing_ok=True)
    if on_progress is not None:
        on_progress(1.0)
    return MixResult(duration_s=round(written_ms / 1000, 3), starts=starts, crossfades_s=fades)


def encode_mp3(raw_path: Path, out_path: Path) -> None:
    """Raw 16-bit stereo PCM to MP3 at the tracks' own bitrate (constant, so players seek)."""
    run(
        [
            "-y",
            "-loglevel", "error",
            "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", str(CHANNELS),
            "-i", f"file:{raw_path}",
            *MP3_ARGS, "-threads", "1",
            "-f", "mp3", f"file:{out_path}",
        ],
        what="encode the mix to MP3",
    )  # fmt: skip
