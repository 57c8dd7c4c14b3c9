"""Playlist files for an album export: an M3U8 of the tracks, and a CUE sheet that marks each
track's start in the continuous mix (where crossfades make tracks overlap)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    number: int
    title: str
    artist: str
    duration_s: float
    file: str  # path inside the archive


def m3u8(entries: list[Entry], *, album: str) -> str:
    """Extended M3U, UTF-8: #EXTINF carries whole seconds and "artist - title"."""
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(album)}"]
    for entry in entries:
        who = f"{_one_line(entry.artist)} - {_one_line(entry.title)}"
        lines.append(f"#EXTINF:{round(entry.duration_s)},{who}")
        lines.append(entry.file)
    return "\n".join(lines) + "\n"


def mix_starts(entries: list[Entry], *, crossfade_s: float) -> list[float]:
    """Where each track starts in a mix whose neighbours overlap by crossfade_s."""
    starts, at = [], 0.0
    for entry in entries:
        starts.append(at)
        at += entry.duration_s - crossfade_s
    return starts


def cue(entries: list[Entry], *, album: str, artist: str, mix_file: str, crossfade_s: float) -> str:
    """A CUE sheet for the continuous mix: one TRACK per entry, INDEX 01 at its start
    (mm:ss:ff, 75 frames a second, as CUE sheets count)."""
    lines = [
        f'PERFORMER "{_quoted(artist)}"',
        f'TITLE "{_quoted(album)}"',
        f'FILE "{_quoted(mix_file)}" MP3',
    ]
    for entry, start in zip(entries, mix_starts(entries, crossfade_s=crossfade_s), strict=True):
        lines += [
            f"  TRACK {entry.number:02d} AUDIO",
            f'    TITLE "{_quoted(entry.title)}"',
            f'    PERFORMER "{_quoted(entry.artist)}"',
            f"    INDEX 01 {cue_time(start)}",
        ]
    return "\n".join(lines) + "\n"


def cue_time(seconds: float) -> str:
    frames = round(max(seconds, 0.0) * 75)
    minutes, rest = divmod(frames, 75 * 60)
    whole, frame = divmod(rest, 75)
    return f"{minutes:02d}:{whole:02d}:{frame:02d}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _quoted(text: str) -> str:
    return _one_line(text).replace('"', "'")
