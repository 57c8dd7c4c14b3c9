"""The published album's cover on the web: drawn once per version and kept in storage.

A version never changes, so neither does its cover: the first request draws it (the same
drawing as the export's cover.jpg, curation.albums.cover) and stores it under a name of its
own; every later request, and the Open Graph image that links to it, reads the stored file.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

from curation.albums import cover, export
from curation.albums.models import AlbumVersion
from generation.models import Track


def cover_name(version: AlbumVersion) -> str:
    return f"albums/{version.album_id}/cover-v{version.number}.jpg"


def cover_alt(version: AlbumVersion) -> str:
    """What the cover shows, for people who cannot see it."""
    count = len(version.tracklist)
    return (
        f"Cover of {version.title}: {count} waveform band{'s' if count != 1 else ''}, one per "
        "track in album order, each coloured by its musical key"
    )


def cover_render(version: AlbumVersion) -> bytes:
    """The cover as the export draws it: each track's waveform and key, the title below."""
    ids = [row["track_id"] for row in version.tracklist]
    peaks = dict(Track.objects.filter(pk__in=ids).values_list("pk", "peaks"))
    image = cover.render(
        [
            cover.Band(peaks=peaks.get(row["track_id"]) or [], camelot=row.get("camelot") or "")
            for row in version.tracklist
        ],
        title=version.title,
        subtitle=f"{export.artist()} · {version.finalized_at.year} · {len(ids)} tracks",
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
