"""What the producers' composer versions list shows (page partial and API): each version,
what it was trained on, and its record in the arena, in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max

from curation.arena.duels import DuelRecord, duel_records, rule_text
from curation.steering.tuning import approved_tracks, selection_rule
from generation.duels import duel_pairs_limit
from generation.models import ComposerVersion, Track


@dataclass(frozen=True)
class TunedTrack:
    track_id: int
    title: str
    weight: int
    crowd_score: float | None  # as it stood when the version was trained


@dataclass(frozen=True)
class VersionRow:
    id: int
    version: str
    status: str
    status_label: str
    created_at: datetime
    created_by: str | None
    parent: str | None
    promoted_at: datetime | None
    promoted_by: str | None
    promoted_how: str
    promoted_how_label: str
    replaced: str | None
    corpus_pieces: int
    collections: list[str]
    tuned: list[TunedTrack]
    tuned_weight: int
    skipped: int
    training_seconds: float | None
    duels: int
    last_duel: int | None  # the newest duel batch's id (the arena page takes it)
    arena: DuelRecord

    @property
    def can_promote(self) -> bool:
        return self.status != ComposerVersion.Status.CURRENT

    @property
    def can_rollback(self) -> bool:
        return self.status == ComposerVersion.Status.CURRENT and self.replaced is not None

    @property
    def can_duel(self) -> bool:
        return self.status == ComposerVersion.Status.CANDIDATE


def composer_version_rows() -> list[VersionRow]:
    """Every version, newest first: the current one, the candidates and the retired."""
    versions = list(
        ComposerVersion.objects.select_related("created_by", "promoted_by", "parent", "replaced")
        .annotate(duel_count=Count("duels_as_candidate"), last_duel=Max("duels_as_candidate"))
        .order_by("-created_at", "-pk")
    )
    records = duel_records(versions)
    track_ids = {int(t["track"]) for v in versions for t in v.training.get("tuned", [])}
    titles = dict(Track.objects.filter(pk__in=track_ids).values_list("pk", "title"))
    return [_row(v, records[v.pk], titles) for v in versions]


def _name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _row(v: Any, record: DuelRecord, titles: dict[int, str]) -> VersionRow:
    training = v.training
    scores = training.get("selection", {}).get("scores", {})
    tuned = [
        TunedTrack(
            track_id=int(t["track"]),
            title=titles.get(int(t["track"])) or f"Track {t['track']}",
            weight=int(t["weight"]),
            crowd_score=scores.get(str(t["track"])),
        )
        for t in training.get("tuned", [])
    ]
    return VersionRow(
        id=v.pk,
        version=v.version,
        status=v.status,
        status_label=v.get_status_display(),
        created_at=v.created_at,
        created_by=_name(v.created_by),
        parent=v.parent.version if v.parent else None,
        promoted_at=v.promoted_at,
        promoted_by=_name(v.promoted_by),
        promoted_how=v.promoted_how,
        promoted_how_label=v.get_promoted_how_display() if v.promoted_how else "",
        replaced=v.replaced.version if v.replaced else None,
        corpus_pieces=int(training.get("corpus_pieces", 0)),
        collections=list(training.get("collections", [])),
        tuned=tuned,
        tuned_weight=int(training.get("tuned_weight", 0)),
        skipped=len(training.get("skipped", [])),
        training_seconds=training.get("seconds"),
        duels=v.duel_count,
        last_duel=v.last_duel,
        arena=record,
    )


def composer_versions_panel() -> dict[str, Any]:
    """Everything templates/producer/_composer_versions.html needs, as its context variable
    `composer_versions`: the versions, the rule in words and the tuning constants."""
    rows = composer_version_rows()
    return {
        "rows": rows,
        "current": next((r for r in rows if r.status == ComposerVersion.Status.CURRENT), None),
        "rule": rule_text(),
        "approved": len(approved_tracks()),
        **selection_rule(),
        "max_pairs": duel_pairs_limit(),
    }
