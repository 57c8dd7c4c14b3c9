"""The album and pick API's input parsing and JSON shaping, kept apart from the views."""

import math
from typing import Any

from django.urls import NoReverseMatch, reverse
from rest_framework import serializers
from rest_framework.request import Request

from albumvote.exceptions import ApplicationError
from curation.albums import selectors
from curation.albums.models import Album, AlbumTrack, AlbumVersion, TrackPick

MAX_ID = 2**63 - 1  # PostgreSQL bigint
MAX_TEXT = 10_000

# --- input -----------------------------------------------------------------------------------

# A body field: the JSON types it takes (bool is never an int here), and whether null is allowed.
Field = tuple[tuple[type, ...], bool]
TEXT: Field = ((str,), False)
WHOLE: Field = ((int,), False)
WHOLE_OR_NULL: Field = ((int,), True)
NUMBER: Field = ((int, float), False)
FLAG: Field = ((bool,), False)
LIST: Field = ((list,), False)
KINDS = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
}


def refuse(field: str, message: str) -> ApplicationError:
    return ApplicationError(f"{field}: {message}", details={"field": field})


def _storable(text: str) -> bool:
    """PostgreSQL refuses NUL characters, and lone surrogates are not UTF-8: refuse them here
    rather than fail at the database."""
    if "\x00" in text or len(text) > MAX_TEXT:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def body_of(request: Request, fields: dict[str, Field]) -> dict[str, Any]:
    """The request's JSON object, strictly: known fields only, each of its own JSON type."""
    data = request.data
    if not isinstance(data, dict):
        raise ApplicationError("Send a JSON object.", details={"field": "non_field_errors"})
    unknown = sorted(str(key) for key in data if key not in fields)
    if unknown:
        raise ApplicationError(
            f"Unknown field(s): {', '.join(unknown)}. Known: {', '.join(fields)}.",
            details={"field": unknown[0], "fields": unknown},
        )
    for name, value in data.items():
        kinds, nullable = fields[name]
        if value is None:
            if not nullable:
                raise refuse(name, "may not be null.")
            continue
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise refuse(name, f"must be {' or '.join(KINDS[k] for k in kinds)}.")
        if isinstance(value, str) and not _storable(value):
            raise refuse(name, f"must be text of at most {MAX_TEXT} characters, without NUL.")
        if isinstance(value, float) and not math.isfinite(value):
            raise refuse(name, "must be a finite number.")
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= MAX_ID:
            raise refuse(name, "is out of range.")
    return dict(data)


def query_number(request: Request, name: str, low: float, high: float, whole: bool) -> Any:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not low <= value <= high:
        kind = "a whole number" if whole else "a number"
        raise refuse(name, f"must be {kind} from {low:g} to {high:g}.")
    return value


def query_flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false"):
        raise refuse(name, "must be true or false.")
    return raw.lower() == "true"


def not_found(what: str) -> ApplicationError:
    return ApplicationError(f"There is no {what}.", code="not_found", status_code=404)


# --- output ----------------------------------------------------------------------------------


def _when(moment: Any) -> str | None:
    return serializers.DateTimeField().to_representation(moment) if moment else None


def _audio_url(track_id: int) -> str:
    return reverse("curation:track-audio", args=[track_id, "mp3"])


def album_url(album_id: int) -> str:
    try:
        return reverse("curation:album", args=[album_id])
    except NoReverseMatch:  # the public album page is not wired in
        return f"/albums/{album_id}/"


def _crowd(crowd: dict[str, Any] | None) -> dict[str, Any]:
    """The crowd's figures stored at finalization, always with the same keys."""
    crowd = crowd or {}
    return {
        "rating_count": crowd.get("rating_count") or 0,
        "mean": crowd.get("mean"),
        "crowd_score": crowd.get("crowd_score"),
        "plays": crowd.get("plays") or 0,
        "unique_listeners": crowd.get("unique_listeners") or 0,
        "listen_through": crowd.get("listen_through"),
        "skip_rate": crowd.get("skip_rate"),
    }


def public_rows(version: AlbumVersion) -> list[dict[str, Any]]:
    """What listeners see of a snapshot's rows: never picks, notes or the generation recipe."""
    return [
        {
            "position": row["position"],
            "id": row["track_id"],
            "title": row["title"],
            "duration_s": row.get("duration_s"),
            "key": row.get("key"),
            "camelot": row.get("camelot"),
            "tempo_bpm": row.get("tempo_bpm"),
            "audio_url": _audio_url(row["track_id"]),
            "crowd": _crowd(row.get("crowd")),
        }
        for row in sorted(version.tracklist, key=lambda r: r["position"])
    ]


def published_json(album: Album) -> dict[str, Any]:
    """The album as published; an unpublished album (producers only) has no version yet."""
    version = album.published_version
    return {
        "id": album.pk,
        "title": version.title if version else album.title,
        "description": version.description if version else album.description,
        "version": version.number if version else None,
        "finalized_at": _when(version.finalized_at) if version else None,
        "total_s": version.total_s if version else None,
        "track_count": len(version.tracklist) if version else 0,
        "url": album_url(album.pk),
        "tracklist": public_rows(version) if version else [],
    }


def _pick_state(pick: TrackPick | None) -> dict[str, Any]:
    if pick is None:
        return {"shortlisted": False, "vetoed": False, "tags": []}
    return {"shortlisted": pick.shortlisted, "vetoed": pick.vetoed, "tags": pick.tags}


def _working_row(entry: AlbumTrack) -> dict[str, Any]:
    track = entry.track
    stats = getattr(track, "stats", None)
    arena = getattr(track, "arena", None)
    return {
        "id": track.pk,
        "position": entry.position,
        "title": track.title or f"Track {track.pk}",
        "duration_s": track.duration_s,
        "key": track.key,
        "camelot": track.camelot,
        "tempo_bpm": track.tempo_bpm,
        "energy": track.energy,
        "crowd_score": selectors.crowd_score(track),
        "rating_count": stats.rating_count if stats else 0,
        "mean": stats.mean if stats else None,
        "arena_rating": arena.rating if arena else None,
        "pick": _pick_state(getattr(track, "pick", None)),
        "audio_url": _audio_url(track.pk),
    }


def workspace_json(album_id: int) -> dict[str, Any]:
    album = selectors.album_get(album_id=album_id)
    if album is None:
        raise not_found(f"album {album_id}")
    entries = selectors.album_entries(album_id=album.pk)
    versions = list(selectors.album_versions(album_id=album.pk))  # the latest first
    held = bool(versions) and selectors.version_holds(
        versions[0],
        title=album.title,
        description=album.description,
        track_ids=[entry.track_id for entry in entries],
    )
    return {
        "id": album.pk,
        "title": album.title,
        "description": album.description,
        "target_count": album.target_count,
        "target_length_s": album.target_length_s,
        "crowd_weight": album.crowd_weight,
        "pinned_first": album.pinned_first_id,
        "pinned_last": album.pinned_last_id,
        "created_at": _when(album.created_at),
        "updated_at": _when(album.updated_at),
        "url": album_url(album.pk),
        "published_version": album.published_version.number if album.published_version else None,
        "matches_version": versions[0].number if held else None,
        "allow_download": album.allow_download,
        "tracks": [_working_row(entry) for entry in entries],
        "totals": selectors.album_totals(entries),
        "transitions": selectors.entry_transitions(entries),
        "versions": [
            {
                "number": version.number,
                "finalized_at": _when(version.finalized_at),
                "finalized_by": version.finalized_by.get_username()
                if version.finalized_by
                else None,
                "track_count": len(version.tracklist),
                "total_s": version.total_s,
            }
            for version in versions
        ],
    }


def version_json(version: AlbumVersion) -> dict[str, Any]:
    """A snapshot as producers see it: every stored row, with the generation recipe."""
    return {
        "album_id": version.album_id,
        "number": version.number,
        "title": version.title,
        "description": version.description,
        "finalized_at": _when(version.finalized_at),
        "finalized_by": version.finalized_by.get_username() if version.finalized_by else None,
        "total_s": version.total_s,
        "track_count": len(version.tracklist),
        "tracklist": version.tracklist,
        "transitions": version.transitions,
    }


def pick_json(pick: TrackPick) -> dict[str, Any]:
    return {
        "track_id": pick.track_id,
        "title": pick.track.title or f"Track {pick.track_id}",
        "shortlisted": pick.shortlisted,
        "vetoed": pick.vetoed,
        "notes": pick.notes,
        "tags": pick.tags,
        "updated_by": pick.updated_by.get_username() if pick.updated_by else None,
        "updated_at": _when(pick.updated_at),
    }
