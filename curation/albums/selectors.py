"""Reads for albums and picks: working tracklists with their totals, suggestions, snapshots,
and the published albums that listeners and the public API see."""

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from curation.albums import sequencer
from curation.albums.models import Album, AlbumJob, AlbumTrack, AlbumVersion, TrackPick
from curation.ranking import verdict
from generation.models import Track

DEFAULT_SUGGESTION_COUNT = 10
NEUTRAL_ENERGY = 0.5


def album_list() -> QuerySet[Album]:
    return Album.objects.select_related("published_version", "created_by")


def album_get(*, album_id: int) -> Album | None:
    return album_list().filter(pk=album_id).first()


def album_entries(*, album_id: int) -> list[AlbumTrack]:
    """The working tracklist, in order, with everything a row shows (one query)."""
    return list(
        AlbumTrack.objects.filter(album_id=album_id)
        .select_related("track", "track__stats", "track__arena", "track__pick")
        .defer("track__peaks", "track__metrics", "track__sections")
        .order_by("position")
    )


def album_totals(entries: list[AlbumTrack]) -> dict[str, Any]:
    """Live totals of a tracklist: count, length, keys used, tempo range."""
    tracks = [entry.track for entry in entries]
    tempos = [t.tempo_bpm for t in tracks if t.tempo_bpm]
    keys: list[str] = []
    for track in tracks:
        if track.camelot and track.camelot not in keys:
            keys.append(track.camelot)
    return {
        "count": len(tracks),
        "length_s": round(sum(t.duration_s or 0.0 for t in tracks), 1),
        "keys": keys,
        "tempo_min": round(min(tempos), 1) if tempos else None,
        "tempo_max": round(max(tempos), 1) if tempos else None,
    }


def _item(track: Track) -> sequencer.Item:
    return sequencer.Item(
        id=track.pk,
        camelot=track.camelot or "",
        tempo_bpm=track.tempo_bpm or 0.0,
        energy=track.energy if track.energy is not None else NEUTRAL_ENERGY,
    )


def transitions_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Score and reason of each transition in a tracklist, as stored rows (snapshot dicts)."""
    return _transitions_in_order(
        [
            sequencer.Item(
                id=row["track_id"],
                camelot=row.get("camelot") or "",
                tempo_bpm=row.get("tempo_bpm") or 0.0,
                energy=row["energy"] if row.get("energy") is not None else NEUTRAL_ENERGY,
            )
            for row in rows
        ]
    )


def entry_transitions(entries: list[AlbumTrack]) -> list[dict[str, Any]]:
    return _transitions_in_order([_item(entry.track) for entry in entries])


def _transitions_in_order(items: list[sequencer.Item]) -> list[dict[str, Any]]:
    """The transitions of items in the order given."""
    return _transition_rows(sequencer.explain(items, [item.id for item in items]))


def _transition_rows(transitions: list[sequencer.Transition]) -> list[dict[str, Any]]:
    return [{"from": t.from_id, "to": t.to_id, "cost": t.cost, "why": t.why} for t in transitions]


def crowd_score(track: Track) -> float:
    """The track's crowd score, as every list on the site shows it: the stored one, or what an
    empty stats row scores while the track has none (the verdict's figure, not a guess here)."""
    stats = getattr(track, "stats", None)
    return stats.crowd_score if stats is not None else verdict.EMPTY_CROWD_SCORE


def _rated(track: Track) -> bool:
    stats = getattr(track, "stats", None)
    return stats is not None and stats.rating_count > 0


def _crowd(track: Track) -> dict[str, Any]:
    stats = getattr(track, "stats", None)
    if stats is None:
        return {"rating_count": 0, "mean": None, "crowd_score": None, "plays": 0}
    return {
        "rating_count": stats.rating_count,
        "mean": stats.mean,
        "lower_bound": stats.lower_bound,
        "crowd_score": stats.crowd_score,
        "plays": stats.plays,
        "unique_listeners": stats.unique_listeners,
        "listen_through": stats.listen_through,
        "skip_rate": stats.skip_rate,
        "distribution": stats.distribution,
    }


def _arena(track: Track) -> dict[str, Any] | None:
    arena = getattr(track, "arena", None)
    if arena is None:
        return None
    return {"rating": arena.rating, "low": arena.low, "high": arena.high, "votes": arena.votes}


def album_snapshot_rows(*, album_id: int) -> list[dict[str, Any]]:
    """The working tracklist as a version stores it: plain JSON, crowd stats as of now."""
    rows = []
    for entry in album_entries(album_id=album_id):
        track = entry.track
        rows.append(
            {
                "position": entry.position,
                "track_id": track.pk,
                "title": track.title or f"Track {track.pk}",
                "duration_s": track.duration_s,
                "key": track.key,
                "camelot": track.camelot,
                "tempo_bpm": track.tempo_bpm,
                "energy": track.energy,
                "preset": track.preset,
                "seed": track.seed,
                "model_version": track.model_version,
                "params": track.resolved_params or track.params,
                "batch_id": track.batch_id,
                "crowd": _crowd(track),
                "arena": _arena(track),
            }
        )
    return rows


@dataclass(frozen=True)
class Candidate:
    track: Track
    crowd: float  # crowd_score(track)
    pick: float
    score: float
    rated: bool  # the crowd has rated it at least once


def suggestion_candidates(*, weight: float, limit: int | None = None) -> list[Candidate]:
    """Ready tracks that are not vetoed, best first by weight * crowd + (1 - weight) * pick,
    where crowd is the track's crowd score and pick is 1 for a shortlisted track, else 0.

    At an equal score, tracks the crowd has rated come before tracks it has not: real
    evidence beats none. Then the higher crowd score, then the older track."""
    tracks = (
        Track.objects.filter(status=Track.Status.READY)
        .exclude(pick__vetoed=True)
        .select_related("stats", "pick", "arena")
        .defer("peaks", "metrics", "sections")
    )
    candidates = []
    for track in tracks:
        crowd = crowd_score(track)
        pick = getattr(track, "pick", None)
        picked = 1.0 if pick is not None and pick.shortlisted else 0.0
        score = weight * crowd + (1.0 - weight) * picked
        candidates.append(Candidate(track, crowd, picked, round(score, 4), _rated(track)))
    candidates.sort(key=lambda c: (-c.score, not c.rated, -c.crowd, c.track.pk))
    return candidates[:limit] if limit is not None else candidates


@dataclass(frozen=True)
class Suggestion:
    candidates: list[Candidate]  # ranked, best first
    order: list[int]  # the chosen tracks, sequenced
    transitions: list[dict[str, Any]]
    cost: float


def album_suggest(
    *, album: Album, weight: float | None = None, count: int | None = None
) -> Suggestion:
    """The best `count` candidates (the album's target count by default), sequenced for flow
    with the album's pinned first and last tracks kept in place."""
    weight = album.crowd_weight if weight is None else weight
    count = count or album.target_count or DEFAULT_SUGGESTION_COUNT
    ranked = suggestion_candidates(weight=weight)
    pins = [p for p in (album.pinned_first_id, album.pinned_last_id) if p is not None]
    chosen = [c for c in ranked if c.track.pk in pins]
    chosen += [c for c in ranked if c.track.pk not in pins][: max(0, count - len(chosen))]
    pins_chosen = {c.track.pk for c in chosen}
    result = sequencer.sequence(
        [_item(c.track) for c in chosen],
        first=album.pinned_first_id if album.pinned_first_id in pins_chosen else None,
        last=album.pinned_last_id if album.pinned_last_id in pins_chosen else None,
    )
    return Suggestion(
        candidates=ranked,
        order=result.order,
        transitions=_transition_rows(result.transitions),
        cost=result.cost,
    )


def picks_for(track_ids: list[int]) -> dict[int, TrackPick]:
    return {pick.track_id: pick for pick in TrackPick.objects.filter(track_id__in=track_ids)}


def album_published_list() -> QuerySet[Album]:
    """Albums with a finalized version, newest release first."""
    return (
        Album.objects.filter(published_version__isnull=False)
        .select_related("published_version")
        .order_by("-published_version__finalized_at", "-id")
    )


def album_published_get(*, album_id: int) -> Album | None:
    return album_published_list().filter(pk=album_id).first()


def album_versions(*, album_id: int) -> QuerySet[AlbumVersion]:
    return AlbumVersion.objects.filter(album_id=album_id).select_related("finalized_by")


def album_with_entries(*, album_id: int) -> Album | None:
    return (
        Album.objects.filter(pk=album_id)
        .prefetch_related(Prefetch("entries", queryset=AlbumTrack.objects.select_related("track")))
        .first()
    )


def album_published_feed() -> QuerySet[Album]:
    """Published albums for a cursor feed: the release time as a field of the row itself
    (cursor pagination reads its position from an attribute), newest release first."""
    return album_published_list().annotate(released_at=F("published_version__finalized_at"))


def album_version_get(*, album_id: int, number: int) -> AlbumVersion | None:
    return album_versions(album_id=album_id).filter(number=number).first()


def version_holds(
    version: AlbumVersion, *, title: str, description: str, track_ids: list[int]
) -> bool:
    """Whether a version holds exactly this album: its title, description and tracks in
    order. The crowd's figures in its rows are not part of it (they move on by themselves)."""
    return (
        version.title == title
        and version.description == description
        and [row["track_id"] for row in version.tracklist] == track_ids
    )


def album_matching_version(*, album_id: int) -> int | None:
    """The number of the album's latest version if the working album is the same as it
    (finalizing it again would make an identical version), else None."""
    album = Album.objects.filter(pk=album_id).only("title", "description").first()
    latest = AlbumVersion.objects.filter(album_id=album_id).order_by("-number").first()
    if album is None or latest is None:
        return None
    track_ids = list(
        AlbumTrack.objects.filter(album_id=album_id)
        .order_by("position")
        .values_list("track_id", flat=True)
    )
    held = version_holds(
        latest, title=album.title, description=album.description, track_ids=track_ids
    )
    return latest.number if held else None


def published_export(album: Album) -> AlbumJob | None:
    """The newest finished export archive of the album's published version, if any."""
    if album.published_version_id is None:
        return None
    return (
        AlbumJob.objects.filter(
            album_id=album.pk,
            version_id=album.published_version_id,
            kind=AlbumJob.Kind.EXPORT,
            include_stems=False,  # stems are for producers, never the public download
            status=AlbumJob.Status.DONE,
        )
        .exclude(file="")
        .select_related("version")
        .order_by("-finished_at", "-id")
        .first()
    )


def pick_list(
    *, shortlisted: bool | None = None, vetoed: bool | None = None, tag: str | None = None
) -> QuerySet[TrackPick]:
    """Producers' picks with their track's title and who last changed them (one query)."""
    picks = TrackPick.objects.select_related("track", "updated_by").only(
        "track_id",
        "shortlisted",
        "vetoed",
        "notes",
        "tags",
        "updated_at",
        "updated_by__username",
        "track__title",
        "track__status",
    )
    if shortlisted is not None:
        picks = picks.filter(shortlisted=shortlisted)
    if vetoed is not None:
        picks = picks.filter(vetoed=vetoed)
    if tag is not None:
        picks = picks.filter(tags__contains=[tag])
    return picks
