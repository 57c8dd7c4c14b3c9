"""How an album version presents itself: the artist it credits, and its cover, drawn the one
way for the export archive's cover.jpg and for the public album page.

A version never changes, so neither does its cover: on the web the first request draws it and
stores it under a name of its own; every later request, and the Open Graph image that links to
it, reads the stored file.
"""

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

from curation.albums import cover
from curation.albums.models import AlbumVersion
from generation.models import Track


def artist() -> str:
    """Who every album is by: in its tags, playlists, manifest, cover and page."""
    return str(getattr(settings, "ALBUM_ARTIST", "AlbumVote"))


def cover_name(version: AlbumVersion) -> str:
    return f"albums/{version.album_id}/cover-v{version.number}.jpg"


def cover_alt(version: AlbumVersion) -> str:
    """What the cover shows, for people who cannot see it."""
    count = len(version.tracklist)
    return (
        f"Cover of {version.title}: {count} waveform band{'s' if count != 1 else ''}, one per "
        "track in album order, each coloured by its musical key"
    )


def cover_render(
    version: AlbumVersion, peaks: Mapping[int, Sequence[float] | None] | None = None
) -> bytes:
    """The cover as a JPEG: each track's waveform coloured by its key, in album order, with the
    title below. `peaks` (track id → Track.peaks) saves reading them again where the caller
    has the tracks already (the export does)."""
    ids = [row["track_id"] for row in version.tracklist]
    if peaks is None:
        peaks = dict(Track.objects.filter(pk__in=ids).values_list("pk", "peaks"))
    image = cover.render(
        [
            cover.Band(peaks=peaks.get(row["track_id"]) or [], camelot=row.get("camelot") or "")
            for row in version.tracklist
        ],
        title=version.title,
        subtitle=f"{artist()} · {version.finalized_at.year} · {len(ids)} tracks",
    )
    return cover.jpeg_bytes(image)


def cover_ensure(version: AlbumVersion, storage: Storage = default_storage) -> str:
    """The stored cover's name, drawing and storing it first if it is not there yet. Two
    first requests at once both draw it; the storage renames each into place atomically, so
    a reader only ever sees a whole file, and both wrote the same picture."""
    name = cover_name(version)
    if not storage.exists(name):
        storage.save(name, ContentFile(cover_render(version)))
    return name
