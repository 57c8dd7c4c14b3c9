"""Writes for producers: picks on tracks, albums and their tracklists, finalizing a version.

Every function here is keyword-only and transactional; the album row is locked while its
tracklist changes, so two producers editing at once never interleave positions.
"""

import re
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from albumvote.exceptions import ApplicationError
from curation.albums import selectors
from curation.albums.models import Album, AlbumAudit, AlbumTrack, AlbumVersion, TrackPick
from generation.models import Track

User = AbstractBaseUser | AnonymousUser
MAX_TAGS = 12
MAX_TAG_LENGTH = 32
MAX_ALBUM_TRACKS = 100
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9 _\-]*$")
_UNSET: Any = object()


def actor(user: User | None) -> Any:
    """Who to record as having done something to an album, a pick or a job: the signed-in
    user, or None (anonymous). Typed Any because the user model is swappable."""
    return user if isinstance(user, AbstractBaseUser) and user.is_authenticated else None


def album_lock(album_id: int) -> Album:
    """The album's row, locked until the transaction ends: its tracklist changes, a new version
    or a new job are made one at a time (two clicks at once make one job, not two)."""
    album = Album.objects.select_for_update().filter(pk=album_id).first()
    if album is None:
        raise ApplicationError("No such album.", code="not_found", status_code=404)
    return album


# --- picks ---------------------------------------------------------------------------------


def tags_clean(raw: Any) -> list[str]:
    """Tags as stored: lower-case, trimmed, unique, in the order given."""
    if not isinstance(raw, list) or not all(isinstance(tag, str) for tag in raw):
        raise ApplicationError("tags must be a list of strings.", details={"field": "tags"})
    tags: list[str] = []
    for tag in (t.strip().lower() for t in raw):
        if not tag or tag in tags:
            continue
        if len(tag) > MAX_TAG_LENGTH or not TAG_PATTERN.match(tag):
            raise ApplicationError(
                f"Tag {tag!r} is not allowed: use up to {MAX_TAG_LENGTH} letters, digits, "
                "spaces, '-' or '_'.",
                details={"field": "tags", "tag": tag},
            )
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ApplicationError(f"At most {MAX_TAGS} tags per track.", details={"field": "tags"})
    return tags


@transaction.atomic
def pick_update(
    *,
    track_id: int,
    user: User,
    shortlisted: bool | None = None,
    vetoed: bool | None = None,
    notes: str | None = None,
    tags: list[str] | None = None,
) -> TrackPick:
    """Change what producers think of a track. Shortlisting clears a veto and vice versa."""
    if not Track.objects.filter(pk=track_id).exists():
        raise ApplicationError("No such track.", code="not_found", status_code=404)
    if shortlisted and vetoed:
        raise ApplicationError("A track cannot be shortlisted and vetoed at once.")
    pick, _ = TrackPick.objects.select_for_update().get_or_create(track_id=track_id)
    if shortlisted is not None:
        pick.shortlisted = shortlisted
        if shortlisted:
            pick.vetoed = False
    if vetoed is not None:
        pick.vetoed = vetoed
        if vetoed:
            pick.shortlisted = False
    if notes is not None:
        pick.notes = notes.strip()
    if tags is not None:
        pick.tags = tags_clean(tags)
    pick.updated_by = actor(user)
    pick.save()
    return pick


# --- albums --------------------------------------------------------------------------------


def _album_fields_check(
    title: Any, target_count: Any, target_length_s: Any, crowd_weight: Any
) -> None:
    if title is not _UNSET and (not isinstance(title, str) or not title.strip()):
        raise ApplicationError("An album needs a title.", details={"field": "title"})
    if title is not _UNSET and len(title.strip()) > 200:
        raise ApplicationError("Titles are at most 200 characters.", details={"field": "title"})
    if target_count not in (_UNSET, None) and not (
        isinstance(target_count, int) and 1 <= target_count <= MAX_ALBUM_TRACKS
    ):
        raise ApplicationError(
            f"target_count must be from 1 to {MAX_ALBUM_TRACKS}.",
            details={"field": "target_count"},
        )
    if target_length_s not in (_UNSET, None) and not (
        isinstance(target_length_s, int) and 60 <= target_length_s <= 6 * 3600
    ):
        raise ApplicationError(
            "target_length_s must be from 60 to 21600 seconds.",
            details={"field": "target_length_s"},
        )
    if crowd_weight is not _UNSET and not (
        isinstance(crowd_weight, int | float)
        and not isinstance(crowd_weight, bool)
        and 0.0 <= crowd_weight <= 1.0
    ):
        raise ApplicationError(
            "crowd_weight must be from 0 to 1.", details={"field": "crowd_weight"}
        )


@transaction.atomic
def album_create(
    *,
    user: User,
    title: str,
    description: str = "",
    target_count: int | None = None,
    target_length_s: int | None = None,
) -> Album:
    _album_fields_check(title, target_count, target_length_s, _UNSET)
    album = Album.objects.create(
        title=title.strip(),
        description=description.strip(),
        target_count=target_count,
        target_length_s=target_length_s,
        created_by=actor(user),
    )
    AlbumAudit.objects.create(album=album, actor=actor(user), action=AlbumAudit.Action.CREATED)
    return album


@transaction.atomic
def album_update(
    *,
    album_id: int,
    user: User,
    title: Any = _UNSET,
    description: Any = _UNSET,
    target_count: Any = _UNSET,
    target_length_s: Any = _UNSET,
    crowd_weight: Any = _UNSET,
    pinned_first: Any = _UNSET,
    pinned_last: Any = _UNSET,
    allow_download: Any = _UNSET,
) -> Album:
    """Change an album's details; fields left out stay as they are."""
    album = album_lock(album_id)
    _album_fields_check(title, target_count, target_length_s, crowd_weight)
    if description is not _UNSET and not isinstance(description, str):
        raise ApplicationError("description must be text.", details={"field": "description"})
    if allow_download is not _UNSET and not isinstance(allow_download, bool):
        raise ApplicationError(
            "allow_download must be true or false.", details={"field": "allow_download"}
        )
    changed: list[str] = []
    for name, value in (
        ("title", title.strip() if isinstance(title, str) else title),
        ("description", description.strip() if isinstance(description, str) else description),
        ("target_count", target_count),
        ("target_length_s", target_length_s),
        ("crowd_weight", float(crowd_weight) if crowd_weight is not _UNSET else _UNSET),
        ("allow_download", allow_download),
    ):
        if value is not _UNSET and getattr(album, name) != value:
            setattr(album, name, value)
            changed.append(name)
    for name, value in (("pinned_first", pinned_first), ("pinned_last", pinned_last)):
        if value is _UNSET:
            continue
        if value is not None and not _suggestable(value):
            raise ApplicationError(
                f"{name} must be a ready, not vetoed track.", details={"field": name}
            )
        if getattr(album, f"{name}_id") != value:
            setattr(album, f"{name}_id", value)
            changed.append(name)
    if album.pinned_first_id is not None and album.pinned_first_id == album.pinned_last_id:
        raise ApplicationError("The first and last track must differ.")
    if changed:
        album.save()
        _audit_edit(album, user, {"fields": changed})
    return album


def _suggestable(track_id: Any) -> bool:
    return (
        isinstance(track_id, int)
        and not isinstance(track_id, bool)
        and Track.objects.filter(pk=track_id, status=Track.Status.READY)
        .exclude(pick__vetoed=True)
        .exists()
    )


def _audit_edit(album: Album, user: User, details: dict[str, Any]) -> None:
    AlbumAudit.objects.create(
        album=album, actor=actor(user), action=AlbumAudit.Action.EDITED, details=details
    )


@transaction.atomic
def album_tracklist_set(*, album_id: int, user: User, track_ids: list[int]) -> list[int]:
    """Replace the working tracklist with these tracks, in this order (add, remove and
    reorder are all this). Only ready tracks can be on an album."""
    album = album_lock(album_id)
    if not isinstance(track_ids, list) or not all(
        isinstance(t, int) and not isinstance(t, bool) for t in track_ids
    ):
        raise ApplicationError("tracks must be a list of track ids.", details={"field": "tracks"})
    if len(set(track_ids)) != len(track_ids):
        raise ApplicationError("A track can be on an album once.", details={"field": "tracks"})
    if len(track_ids) > MAX_ALBUM_TRACKS:
        raise ApplicationError(f"At most {MAX_ALBUM_TRACKS} tracks on an album.")
    ready = set(
        Track.objects.filter(pk__in=track_ids, status=Track.Status.READY).values_list(
            "pk", flat=True
        )
    )
    missing = [t for t in track_ids if t not in ready]
    if missing:
        raise ApplicationError(
            "Only ready tracks can go on an album.",
            details={"field": "tracks", "not_ready": missing},
        )
    before = list(album.entries.values_list("track_id", flat=True))
    if before == track_ids:
        return track_ids
    album.entries.all().delete()
    AlbumTrack.objects.bulk_create(
        AlbumTrack(album=album, track_id=track_id, position=i)
        for i, track_id in enumerate(track_ids, start=1)
    )
    album.save(update_fields=["updated_at"])
    _audit_edit(album, user, {"tracks": track_ids})
    return track_ids


def album_track_add(
    *, album_id: int, user: User, track_id: int, position: int | None = None
) -> list[int]:
    """Add a track at a position (1-based; the end if left out)."""
    with transaction.atomic():
        current = list(
            album_lock(album_id).entries.order_by("position").values_list("track_id", flat=True)
        )
        if track_id in current:
            raise ApplicationError("That track is already on the album.")
        at = len(current) if position is None else max(0, min(position - 1, len(current)))
        current.insert(at, track_id)
        return album_tracklist_set(album_id=album_id, user=user, track_ids=current)


def album_track_remove(*, album_id: int, user: User, track_id: int) -> list[int]:
    with transaction.atomic():
        current = list(
            album_lock(album_id).entries.order_by("position").values_list("track_id", flat=True)
        )
        if track_id not in current:
            raise ApplicationError("That track is not on the album.", status_code=404)
        current.remove(track_id)
        return album_tracklist_set(album_id=album_id, user=user, track_ids=current)


@transaction.atomic
def album_finalize(*, album_id: int, user: User) -> AlbumVersion:
    """Lock the working tracklist as the next immutable version and publish it. An album that
    is the same as its latest version is refused: a copy would only bump the public number."""
    album = album_lock(album_id)
    rows = selectors.album_snapshot_rows(album_id=album.pk)
    if not rows:
        raise ApplicationError("Add tracks before finalizing the album.", code="empty_album")
    latest = album.versions.order_by("-number").first()
    if latest is not None and selectors.version_holds(
        latest,
        title=album.title,
        description=album.description,
        track_ids=[row["track_id"] for row in rows],
    ):
        raise ApplicationError(
            f"Nothing has changed since version {latest.number}: change the tracklist, title "
            f"or description to make version {latest.number + 1}.",
            code="unchanged",
            status_code=409,
            details={"version": latest.number},
        )
    number = (latest.number if latest is not None else 0) + 1
    version = AlbumVersion.objects.create(
        album=album,
        number=number,
        title=album.title,
        description=album.description,
        tracklist=rows,
        transitions=selectors.transitions_of(rows),
        total_s=round(sum(row["duration_s"] or 0.0 for row in rows), 1),  # as the live totals
        finalized_by=actor(user),
        finalized_at=timezone.now(),
    )
    album.published_version = version
    album.save(update_fields=["published_version", "updated_at"])
    AlbumAudit.objects.create(
        album=album,
        version=version,
        actor=actor(user),
        action=AlbumAudit.Action.FINALIZED,
        details={"number": number, "tracks": [row["track_id"] for row in rows]},
    )
    return version
