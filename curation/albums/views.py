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
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from albumvote.exceptions import ApplicationError
from albumvote.permissions import is_producer
from curation.albums import selectors, services
from curation.albums.models import AlbumVersion

View = Callable[..., HttpResponse]


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


def album_detail(request: HttpRequest, album_id: int) -> HttpResponse:
    album = selectors.album_published_get(album_id=album_id)
    if album is None or album.published_version is None:
        raise Http404("No such album, or it is not published.")
    version = album.published_version
    rows = _public_rows(version)
    context = {
        "album": album,
        "version": version,
        "rows": rows,
        "length": duration_label(version.total_s),
        "crowd": {
            "ratings": sum(row["rating_count"] for row in rows),
            "plays": sum(row["plays"] for row in rows),
            "rated_tracks": sum(1 for row in rows if row["rating_count"]),
        },
    }
    return render(request, "albums/album_detail.html", context)


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
    }
    return render(request, "albums/workspace.html", context)
