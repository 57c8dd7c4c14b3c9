"""What the album tests build again and again: albums in a given state, rated and really
rendered tracks, finished exports, and the readers of a page's HTML."""

import re
from typing import Any

from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from curation.albums import services
from curation.albums.models import Album, AlbumJob
from curation.models import TrackStats
from generation import services as generation_services
from generation.models import GenerationBatch, Track
from generation.tasks import generate_track
from tests.factories import ReadyTrackFactory

# --- albums and tracks -------------------------------------------------------------------------


def rated(stars: int, count: int, **track_fields: Any) -> Track:
    """A ready track whose crowd has given it `count` ratings of `stars`."""
    track = ReadyTrackFactory.create(**track_fields)
    TrackStats.objects.create(
        track=track, rating_count=count, rating_sum=stars * count, **{f"stars_{stars}": count}
    )
    return track


def rated_once_heard_half(track: Track) -> TrackStats:
    """The walk-through's case: one rating of 3 stars, from one play listened half-way."""
    return TrackStats.objects.create(
        track=track,
        rating_count=1,
        rating_sum=3,
        stars_3=1,
        plays=1,
        unique_listeners=1,
        listen_through_sum=0.5,
    )


def album_of(producer: Any, title: str, tracks: list[Track], **fields: Any) -> Album:
    """An album in the making with these tracks, in this order."""
    album = services.album_create(user=producer, title=title, **fields)
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[t.pk for t in tracks])
    return album


def published_album(producer: Any, title: str, tracks: list[Track], **fields: Any) -> Album:
    """An album whose tracklist is finalized as version 1, and so published."""
    album = album_of(producer, title, tracks, **fields)
    services.album_finalize(album_id=album.pk, user=producer)
    return album


def export_of(
    album: Album, version_number: int, content: bytes = b"PK\x03\x04 an archive", **fields: Any
) -> AlbumJob:
    """A finished export archive of a version, as the export job leaves it."""
    version = album.versions.get(number=version_number)
    job = AlbumJob.objects.create(
        album=album,
        version=version,
        kind=AlbumJob.Kind.EXPORT,
        status=AlbumJob.Status.DONE,
        track_ids=[row["track_id"] for row in version.tracklist],
        **fields,
    )
    job.file.save("export.zip", ContentFile(content), save=True)
    return job


def render_tracks(count: int, *, seed: int = 5) -> list[Track]:
    """Really compose and render `count` short tracks through the generation services.

    The launch API offers no length; the composer takes target_seconds (60 is its shortest),
    so it is set on the queued rows before they render.
    """
    params = generation_services.batch_params_validate({"count": count, "seed": seed})
    batch = generation_services.batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    for track in batch.tracks.all():
        Track.objects.filter(pk=track.pk).update(params={**track.params, "target_seconds": 60})
    for track in batch.tracks.order_by("position"):
        generate_track(track_id=track.pk)
    tracks = list(batch.tracks.order_by("position"))
    assert [t.status for t in tracks] == [Track.Status.READY] * count, [t.error for t in tracks]
    return tracks


# --- jobs through the API ----------------------------------------------------------------------

JOB_KEYS = {
    "id", "kind", "status", "progress", "stage", "error", "album_id", "track_id", "version",
    "stems", "file_url", "created_at", "finished_at",
}  # fmt: skip


def logged_in(user: Any = None) -> APIClient:
    """An API client with the user's session (CSRF checks as for a browser)."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def client_for(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def job_row(job_id: int) -> AlbumJob:
    return AlbumJob.objects.get(pk=job_id)


# --- reading pages -----------------------------------------------------------------------------


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def rows(html: str, list_marker: str) -> list[str]:
    """The data-title of each row of the list carrying `list_marker`, in page order."""
    start = html.index(list_marker)
    end = html.index("</ol>", start)
    return re.findall(r'<li class="[^"]*"[^>]*data-title="([^"]*)"', html[start:end])


def content(response: Any) -> bytes:
    """A response's body, streamed (files) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def meta(html: str, key: str) -> str | None:
    """The content of <meta property|name=key>, or None."""
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    return found.group(1) if found else None
