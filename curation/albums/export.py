"""The export archive of a finalized album version: one ZIP a producer can hand to a label.

Layout (names from the version's titles, made safe for any file system):

    01 - Title.mp3 ...     tagged MP3s (ID3v2.4)
    ogg/01 - Title.opus    tagged Ogg files (Vorbis comments), as the renderer made them
    midi/01 - Title.mid    the MIDI each track was rendered from
    mix.mp3 + mix.cue      the continuous mix (crossfaded) and a CUE sheet marking each track
    album.m3u8             the MP3s in order
    cover.jpg              generated from the tracks' waveforms and keys
    manifest.json          provenance: model versions, seeds, parameters, steering, crowd stats
    stems/01 - Title/      only when asked for (off by default): per part a 24-bit FLAC and
                           its MIDI, the track's mix as FLAC and stems.json, whose sum rule
                           says how closely the parts add up to the mix (generation/audio/stems.py)
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from curation.albums import artwork, mix, playlists, tagging
from curation.albums.models import AlbumVersion
from generation import stems as track_stems
from generation.audio.stems import MANIFEST_FILE as STEMS_MANIFEST
from generation.models import Track

Progress = Callable[[float, str], None]
_UNSAFE = re.compile(r"[^\w\s\-.,'()&!+]")


class ExportError(Exception):
    """The archive cannot be built (a track or file is missing); the message says which."""


@dataclass(frozen=True)
class Member:
    row: dict[str, Any]
    track: Track
    stem: str  # "01 - Title"


def safe_name(text: str, *, limit: int = 80) -> str:
    cleaned = " ".join(_UNSAFE.sub("_", text).split()).strip(". ")
    return cleaned[:limit].rstrip(". ") or "Untitled"


def archive_name(version: AlbumVersion, *, stems: bool = False) -> str:
    return f"{safe_name(version.title)} v{version.number}{' with stems' if stems else ''}.zip"


def members(version: AlbumVersion, tracks: dict[int, Track]) -> list[Member]:
    result = []
    for number, row in enumerate(version.tracklist, start=1):
        track = tracks.get(row["track_id"])
        if track is None:
            raise ExportError(f"Track {row['track_id']} ({row['title']}) no longer exists.")
        for field in ("audio_mp3", "audio_opus", "midi"):
            if not getattr(track, field):
                raise ExportError(f"Track {track.pk} ({row['title']}) has no {field} file.")
        result.append(
            Member(row=row, track=track, stem=f"{number:02d} - {safe_name(row['title'])}")
        )
    return result


def build(
    version: AlbumVersion,
    tracks: dict[int, Track],
    *,
    workdir: Path,
    progress: Progress,
    stems: bool = False,
) -> Path:
    """Build the archive in `workdir` and return its path; with `stems`, a stem set per track."""
    items = members(version, tracks)
    total = len(items)
    year = version.finalized_at.year
    root = workdir / "archive"
    (root / "ogg").mkdir(parents=True)
    (root / "midi").mkdir()
    # Progress spans: rendering stems takes about as long as mixing and tagging together.
    mixed, tagged = (0.27, 0.42) if stems else (0.52, 0.82)

    progress(0.02, "Mixing the album")
    result = mix.build(
        [Path(item.track.audio_mp3.path) for item in items],
        root / "mix.mp3",
        on_progress=lambda done: progress(0.02 + (mixed - 0.02) * done, "Mixing the album"),
    )

    for index, item in enumerate(items, start=1):
        progress(
            mixed + (tagged - mixed) * (index - 1) / total, f"Tagging track {index} of {total}"
        )
        tags = tagging.Tags(
            title=item.row["title"],
            album=version.title,
            artist=artwork.artist(),
            number=index,
            total=total,
            year=year,
            bpm=item.row.get("tempo_bpm"),
            key=item.row.get("key") or "",
        )
        mp3 = root / f"{item.stem}.mp3"
        ogg = root / "ogg" / f"{item.stem}.opus"
        shutil.copyfile(item.track.audio_mp3.path, mp3)
        shutil.copyfile(item.track.audio_opus.path, ogg)
        shutil.copyfile(item.track.midi.path, root / "midi" / f"{item.stem}.mid")
        tagging.tag_mp3(mp3, tags)
        tagging.tag_ogg(ogg, tags)

    if stems:
        for index, item in enumerate(items, start=1):
            track_stems.track_stems_write(
                track=item.track,
                folder=root / "stems" / item.stem,
                on_progress=_span(
                    progress,
                    tagged + (0.82 - tagged) * (index - 1) / total,
                    tagged + (0.82 - tagged) * index / total,
                    f"Rendering the stems of track {index} of {total}",
                ),
            )

    progress(0.84, "Drawing the cover")
    peaks = {item.track.pk: item.track.peaks for item in items}
    (root / "cover.jpg").write_bytes(artwork.cover_render(version, peaks))

    progress(0.88, "Writing the playlist, CUE sheet and manifest")
    entries = [
        playlists.Entry(
            number=index,
            title=item.row["title"],
            artist=artwork.artist(),
            duration_s=float(item.row.get("duration_s") or 0.0),
            file=f"{item.stem}.mp3",
        )
        for index, item in enumerate(items, start=1)
    ]
    (root / "album.m3u8").write_text(playlists.m3u8(entries, album=version.title), "utf-8")
    (root / "mix.cue").write_text(
        playlists.cue(
            entries,
            album=version.title,
            artist=artwork.artist(),
            mix_file="mix.mp3",
            crossfade_s=mix.CROSSFADE_S,
        ),
        "utf-8",
    )
    manifest = manifest_of(version, items, mix_duration_s=result.duration_s, stems=stems)
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")

    progress(0.92, "Packing the archive")
    return pack(root, workdir / "export.zip")


def _span(progress: Progress, start: float, end: float, stage: str) -> Callable[[float], None]:
    """Progress of one step (0..1) as a share of the whole, from `start` to `end`."""

    def report(done: float) -> None:
        progress(start + (end - start) * done, stage)

    return report


def pack(root: Path, archive: Path) -> Path:
    """ZIP every file under `root`, named relative to it, and return `archive`."""
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                # Audio and images are compressed already; deflate only the text.
                packed = path.suffix in {".m3u8", ".cue", ".json", ".mid"}
                zipped.write(
                    path,
                    path.relative_to(root).as_posix(),
                    compress_type=zipfile.ZIP_DEFLATED if packed else zipfile.ZIP_STORED,
                )
    return archive


def _steering(track: Track) -> dict[str, object] | None:
    steering = getattr(track, "steering", None)
    return steering.provenance() if steering is not None else None


def manifest_of(
    version: AlbumVersion, items: list[Member], *, mix_duration_s: float, stems: bool = False
) -> dict[str, Any]:
    """Where every track came from and what the crowd thought of it when it was finalized."""
    finalized_by = version.finalized_by
    return {
        "format": "albumvote-export/1",
        "exported_at": timezone.now().isoformat(),
        "album": {
            "id": version.album_id,
            "title": version.title,
            "description": version.description,
            "artist": artwork.artist(),
        },
        "version": {
            "number": version.number,
            "finalized_at": version.finalized_at.isoformat(),
            "finalized_by": finalized_by.get_username() if finalized_by else None,
            "total_s": version.total_s,
        },
        "model_versions": sorted({str(item.row.get("model_version") or "") for item in items}),
        "mix": {
            "file": "mix.mp3",
            "cue": "mix.cue",
            "crossfade_s": mix.CROSSFADE_S,
            "duration_s": mix_duration_s,
        },
        "transitions": version.transitions,
        "stems": stems,
        "tracks": [
            {
                **item.row,
                "number": number,
                "soundfont": item.track.soundfont,
                # Why it was composed as it was, for a track of a steered batch.
                "steering": _steering(item.track),
                "files": {
                    "mp3": f"{item.stem}.mp3",
                    "ogg": f"ogg/{item.stem}.opus",
                    "midi": f"midi/{item.stem}.mid",
                    **({"stems": f"stems/{item.stem}/{STEMS_MANIFEST}"} if stems else {}),
                },
            }
            for number, item in enumerate(items, start=1)
        ],
    }
