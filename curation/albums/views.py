"""Album pages: the published albums everyone sees, the producers' album workspace, and the
file an album job made.

The workspace page renders the album's current state; static/js/album-workspace.js then edits
it through the JSON API, at the addresses the page gives it (data-url-* attributes).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from albumvote.exceptions import ApplicationError
from albumvote.permissions import is_producer, producer_required
from albumvote.ranges import ranged_file_response
from curation.albums import artwork, cover, export, jobs, selectors, services
from curation.albums.models import Album, AlbumJob, AlbumVersion
from curation.ranking.verdict import EMPTY_CROWD_SCORE
from generation.models import Track
from generation.templatetags.formats import duration

# The workspace's words for its two figures (its rows, candidates and script all use these).
CROWD_SCORE_HELP = (
    "Crowd score, 0 to 1: how listeners received the track, as the site's rankings use it. "
    "Star ratings weigh most (a cautious lower bound of the average), then how much of the "
    "track people listen to and how rarely they skip it. A track with no feedback yet scores "
    f"{EMPTY_CROWD_SCORE:.2f}."
)
SUGGESTION_SCORE_HELP = (
    "Suggestion score = crowd weight \u00d7 crowd score + (1 \u2212 crowd weight) \u00d7 "
    "shortlisted (1 or 0). At an equal score, rated tracks come first."
)
JOB_CONTENT_TYPES = {
    AlbumJob.Kind.PREVIEW: "audio/mpeg",
    AlbumJob.Kind.EXPORT: "application/zip",
    AlbumJob.Kind.STEMS: "application/zip",
}


# --- public --------------------------------------------------------------------------------


def album_list(request: HttpRequest) -> HttpResponse:
    albums = [
        {
            "album": album,
            "version": album.published_version,
            "count": len(album.published_version.tracklist),
            "length": duration(album.published_version.total_s),
        }
        for album in selectors.album_published_list()
        if album.published_version is not None
    ]
    context = {"albums": albums, "producer": is_producer(request.user)}
    return render(request, "albums/album_list.html", context)


def _public_rows(version: AlbumVersion) -> list[dict[str, Any]]:
    """The snapshot's rows with what a row shows; never picks, notes or vetoes (a snapshot
    does not hold them, and nothing here looks them up)."""
    rows = []
    for row in sorted(version.tracklist, key=lambda r: r["position"]):
        crowd = row.get("crowd") or {}
        rows.append(
            {
                "position": row["position"],
                "id": row["track_id"],
                "title": row["title"],
                "duration_s": row.get("duration_s"),
                "duration": duration(row.get("duration_s")),
                "key": row.get("key") or "",
                "camelot": row.get("camelot") or "",
                "tempo_bpm": row.get("tempo_bpm"),
                "rating_count": crowd.get("rating_count") or 0,
                "mean": crowd.get("mean"),
                "crowd_score": crowd.get("crowd_score"),
                "plays": crowd.get("plays") or 0,
            }
        )
    return rows


def _published(album_id: int) -> tuple[Album, AlbumVersion]:
    album = selectors.album_published_get(album_id=album_id)
    if album is None or album.published_version is None:
        raise Http404("No such album, or it is not published.")
    return album, album.published_version


def _download(album: Album) -> AlbumJob | None:
    """What listeners may download: the published version's export archive, only if the
    producers allow it and it has been built."""
    archive = selectors.published_export(album) if album.allow_download else None
    return archive if archive is not None and jobs.job_file_exists(archive) else None


def album_detail(request: HttpRequest, album_id: int) -> HttpResponse:
    album, version = _published(album_id)
    rows = _public_rows(version)
    page_url = request.build_absolute_uri(reverse("curation:album", args=[album.pk]))
    cover_url = reverse("curation:album-cover", args=[album.pk, version.number])
    count = len(rows)
    length = duration(version.total_s)
    summary = f"An album of {count} track{'s' if count != 1 else ''} ({length}) on AlbumVote."
    context = {
        "album": album,
        "version": version,
        "rows": rows,
        "length": length,
        "crowd": {
            "ratings": sum(row["rating_count"] for row in rows),
            "plays": sum(row["plays"] for row in rows),
            "rated_tracks": sum(1 for row in rows if row["rating_count"]),
        },
        "page_url": page_url,
        "cover_url": cover_url,
        "cover_absolute_url": request.build_absolute_uri(cover_url),
        "cover_alt": artwork.cover_alt(version),
        "cover_size": cover.SIZE,
        "share_description": " ".join(f"{version.description} {summary}".split()),
        "download_url": reverse("curation:album-download", args=[album.pk])
        if _download(album)
        else None,
        "artist": artwork.artist(),
    }
    return render(request, "albums/album_detail.html", context)


@require_safe
def album_cover(request: HttpRequest, album_id: int, number: int) -> HttpResponseBase:
    """The published version's cover (drawn on first request, then kept)."""
    _, version = _published(album_id)
    if number != version.number:
        raise Http404("Only the published version's cover is shown.")
    name = artwork.cover_ensure(version)
    return ranged_file_response(
        request,
        storage=default_storage,
        name=name,
        content_type="image/jpeg",
        filename=f"{export.safe_name(version.title)} cover.jpg",
        as_attachment=False,
    )


@require_safe
def album_download(request: HttpRequest, album_id: int) -> HttpResponseBase:
    """The published version's export archive, where the producers allow downloads."""
    album, version = _published(album_id)
    archive = _download(album)
    if archive is None:
        raise Http404("This album cannot be downloaded.")
    return ranged_file_response(
        request,
        storage=archive.file.storage,
        name=archive.file.name or "",
        content_type="application/zip",
        filename=export.archive_name(version),
        as_attachment=True,
    )


# --- producers -----------------------------------------------------------------------------


class AlbumForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Concept / description"
    )
    target_count = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=services.MAX_ALBUM_TRACKS,
        label="Target track count",
    )
    target_minutes = forms.IntegerField(
        required=False, min_value=1, max_value=360, label="Target length (minutes)"
    )


@producer_required
def producer_album_list(request: HttpRequest) -> HttpResponse:
    form = AlbumForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            minutes = data.get("target_minutes")
            try:
                album = services.album_create(
                    user=request.user,
                    title=data["title"],
                    description=data.get("description") or "",
                    target_count=data.get("target_count"),
                    target_length_s=minutes * 60 if minutes else None,
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"Album “{album.title}” created.")
                return redirect("curation:album-workspace", album_id=album.pk)
        for field, problems in form.errors.items():
            known = form.fields.get(field)
            label = (known.label if known else None) or field.replace("_", " ").capitalize()
            for problem in problems:
                messages.error(request, f"{label}: {problem}" if known else str(problem))
    # Counting entries is part of the list's one query.
    albums = selectors.album_list().annotate(track_count=Count("entries"))
    context = {"albums": albums, "form": form}
    return render(request, "albums/producer_album_list.html", context)


def _feedback(track: Track) -> dict[str, Any]:
    """A workspace row's ratings and the producers' pick, as the script shows them too."""
    stats = getattr(track, "stats", None)
    pick = getattr(track, "pick", None)
    return {
        "rating_count": stats.rating_count if stats is not None else 0,
        "mean": stats.mean if stats is not None else None,
        "pick": "vetoed"
        if pick is not None and pick.vetoed
        else "shortlisted"
        if pick is not None and pick.shortlisted
        else "",
    }


@producer_required
def album_workspace(request: HttpRequest, album_id: int) -> HttpResponse:
    album = selectors.album_get(album_id=album_id)
    if album is None:
        raise Http404("No such album.")
    entries = selectors.album_entries(album_id=album.pk)
    transitions = selectors.entry_transitions(entries)
    rows = [
        {
            "entry": entry,
            "track": entry.track,
            "duration": duration(entry.track.duration_s),
            "crowd_score": selectors.crowd_score(entry.track),
            **_feedback(entry.track),
            "transition": transitions[i] if i < len(transitions) else None,
        }
        for i, entry in enumerate(entries)
    ]
    totals = selectors.album_totals(entries)
    context = {
        "album": album,
        "rows": rows,
        "totals": totals,
        "length": duration(totals["length_s"]),
        "target_length": duration(album.target_length_s),
        "versions": list(selectors.album_versions(album_id=album.pk)),
        "weight": album.crowd_weight,
        "crowd_help": CROWD_SCORE_HELP,
        "suggestion_help": SUGGESTION_SCORE_HELP,
    }
    return render(request, "albums/workspace.html", context)


@require_safe
@producer_required
def album_job_file(request: HttpRequest, job_id: int) -> HttpResponseBase:
    """A job's file, for producers: the preview mix to play, the export or a track's stems to
    download."""
    job = jobs.job_get(job_id=job_id)
    if job is None or job.status != AlbumJob.Status.DONE or not job.file:
        raise Http404("No such file (yet)")
    if job.kind == AlbumJob.Kind.EXPORT and job.version is not None:
        filename, attachment = export.archive_name(job.version, stems=job.include_stems), True
    elif job.kind == AlbumJob.Kind.STEMS and job.track is not None:
        filename, attachment = f"{jobs.stems_folder(job.track)}.zip", True
    elif job.album is not None:
        filename, attachment = f"{export.safe_name(job.album.title)} preview.mp3", False
    else:
        raise Http404("No such file")
    return ranged_file_response(
        request,
        storage=job.file.storage,
        name=job.file.name or "",
        content_type=JOB_CONTENT_TYPES[AlbumJob.Kind(job.kind)],
        filename=filename,
        as_attachment=attachment,
    )
