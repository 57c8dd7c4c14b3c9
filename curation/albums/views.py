"""Album pages: the published albums everyone sees, and the producers' album workspace.

The workspace page renders the album's current state; static/js/album-workspace.js then edits
it through the JSON API (/api/v1/albums/...).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from albumvote.exceptions import ApplicationError
from albumvote.permissions import is_producer
from albumvote.ranges import ranged_file_response
from curation.albums import artwork, cover, export, jobs, selectors, services
from curation.albums.models import Album, AlbumVersion
from curation.ranking.verdict import EMPTY_CROWD_SCORE
from generation.models import Track

View = Callable[..., HttpResponse]

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


def producer_required(view: View) -> View:
    """Anonymous visitors go to the login page (and come back); other users get a 403 page."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_producer(request.user):
            return render(request, "albums/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return guarded


def duration_label(seconds: float | None) -> str:
    """m:ss, or h:mm:ss from an hour up."""
    if seconds is None:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# --- public --------------------------------------------------------------------------------


def album_list(request: HttpRequest) -> HttpResponse:
    albums = [
        {
            "album": album,
            "version": album.published_version,
            "count": len(album.published_version.tracklist),
            "length": duration_label(album.published_version.total_s),
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
                "duration": duration_label(row.get("duration_s")),
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


def _download_url(album: Album) -> str | None:
    """Where listeners download the album: only if the producers allow it and the published
    version's export archive has been built."""
    if not album.allow_download:
        return None
    archive = selectors.published_export(album)
    if archive is None or not jobs.job_file_exists(archive):
        return None
    return reverse("curation:album-download", args=[album.pk])


def album_detail(request: HttpRequest, album_id: int) -> HttpResponse:
    album, version = _published(album_id)
    rows = _public_rows(version)
    page_url = request.build_absolute_uri(reverse("curation:album", args=[album.pk]))
    cover_url = reverse("curation:album-cover", args=[album.pk, version.number])
    count = len(rows)
    length = duration_label(version.total_s)
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
        "download_url": _download_url(album),
        "artist": export.artist(),
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
    archive = selectors.published_export(album) if album.allow_download else None
    if archive is None or not jobs.job_file_exists(archive):
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
            "duration": duration_label(entry.track.duration_s),
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
        "length": duration_label(totals["length_s"]),
        "target_length": duration_label(album.target_length_s),
        "versions": list(selectors.album_versions(album_id=album.pk)),
        "weight": album.crowd_weight,
        "crowd_help": CROWD_SCORE_HELP,
        "suggestion_help": SUGGESTION_SCORE_HELP,
    }
    return render(request, "albums/workspace.html", context)
