"""Tags for exported audio (mutagen): ID3v2.4 for MP3, Vorbis comments for Ogg Opus/Vorbis.

Only ever called on copies in an export's working folder: the stored track files stay as
the renderer wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import ID3, TALB, TBPM, TDRC, TIT2, TKEY, TPE1, TPE2, TRCK, ID3NoHeaderError
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from generation.audio.errors import AudioError

# ID3 TKEY allows at most three characters: a note, "b" or "#", and "m" for minor.
_MODE_SUFFIX = {"major": "", "minor": "m"}


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    artist: str
    number: int
    total: int
    year: int
    bpm: float | None
    key: str  # as the track stores it, e.g. "A minor"


def id3_key(key: str) -> str:
    """'A minor' -> 'Am', 'F# major' -> 'F#', 'Bb minor' -> 'Bbm'; '' when unknown."""
    parts = key.split()
    if not parts:
        return ""
    note = parts[0].replace("-", "b")
    suffix = _MODE_SUFFIX.get(parts[1].lower(), "") if len(parts) > 1 else ""
    return (note + suffix)[:3]


def bpm_text(bpm: float | None) -> str:
    # TBPM is an integer by definition; Vorbis BPM by convention too.
    return str(round(bpm)) if bpm else ""


def tag_mp3(path: Path, tags: Tags) -> None:
    try:
        id3 = ID3(path)
    except ID3NoHeaderError:
        id3 = ID3()
    id3.delall("TXXX")
    frames = [
        TIT2(encoding=3, text=tags.title),
        TALB(encoding=3, text=tags.album),
        TPE1(encoding=3, text=tags.artist),
        TPE2(encoding=3, text=tags.artist),
        TRCK(encoding=3, text=f"{tags.number}/{tags.total}"),
        TDRC(encoding=3, text=str(tags.year)),
    ]
    if bpm := bpm_text(tags.bpm):
        frames.append(TBPM(encoding=3, text=bpm))
    if key := id3_key(tags.key):
        frames.append(TKEY(encoding=3, text=key))
    for frame in frames:
        id3.setall(frame.FrameID, [frame])
    try:
        id3.save(path, v2_version=4)
    except Exception as exc:  # mutagen raises its own MutagenError, or OSError
        raise AudioError(f"could not tag {Path(path).name}: {exc}") from exc


def tag_ogg(path: Path, tags: Tags) -> None:
    """Ogg Opus or Ogg Vorbis, whichever the file holds."""
    audio: OggOpus | OggVorbis
    try:
        with Path(path).open("rb") as file:
            head = file.read(64)
        audio = OggOpus(path) if b"OpusHead" in head else OggVorbis(path)
        comments = {
            "TITLE": tags.title,
            "ALBUM": tags.album,
            "ARTIST": tags.artist,
            "ALBUMARTIST": tags.artist,
            "TRACKNUMBER": str(tags.number),
            "TRACKTOTAL": str(tags.total),
            "DATE": str(tags.year),
            "BPM": bpm_text(tags.bpm),
            "KEY": tags.key,
        }
        for name, value in comments.items():
            if value:
                audio[name] = [value]
        audio.save()
    except Exception as exc:
        raise AudioError(f"could not tag {Path(path).name}: {exc}") from exc
