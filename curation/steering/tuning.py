"""The crowd-tuned composer, curation's side: which generated tracks the crowd approved and
how much each weighs (from the figures that count), and judging the duels between a
candidate version and the current one (curation.arena.duels has the rule).

Generation trains and swaps versions (generation.versions) and is handed plain
(track id, weight) pairs: it never asks curation anything.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from albumvote.exceptions import ApplicationError
from curation.arena.duels import PROMOTE, RETIRE, duel_records
from generation import dispatch
from generation.models import ComposerVersion, Track
from generation.music import model_get
from generation.versions import (
    composer_version_promote,
    composer_version_retire,
    composer_version_train,
)

logger = logging.getLogger(__name__)

TUNE_COMPOSER = "curation.tune_composer"

# A track is crowd-approved when its crowd score (curation.scoring: the counted figures
# only) is at least APPROVED_SCORE with at least MIN_RATINGS counted ratings. 0.6 is well
# above a track nobody has rated (about 0.4) and needs a lower star bound near 3.5.
APPROVED_SCORE = 0.6
MIN_RATINGS = 3
# Its weight grows linearly from 1 at APPROVED_SCORE to MAX_WEIGHT at a perfect score: how
# much it counts against the other approved tracks.
MAX_WEIGHT = 8
# How much they count against the corpus: together the approved tracks weigh TUNED_SHARE of
# all the candidate learns from (the corpus's pieces and theirs), shared by weight, no track
# above TRACK_CAP of the corpus. Counted as one to eight corpus pieces each, a few dozen
# tracks are 2% of a corpus of about 5,000 pieces and move little: bench/steering.py's
# melodic crowd approved 56 tracks, and their candidate won 0.53 of 200 pairs (+0.09 stars).
# Their share, on the same 56: a quarter 0.63, a half 0.61 (0.65 uncapped), three quarters
# 0.66-0.68 (+0.25 to +0.4 stars; +-0.035 is noise). A half is mid-plateau; the cap keeps a
# handful of favourites from being memorised.
TUNED_SHARE = 0.5
TRACK_CAP = 0.02
# The best this many at most: tuning should follow the crowd's taste, not memorise it.
MAX_TRACKS = 200


@dataclass(frozen=True)
class ApprovedTrack:
    track_id: int
    crowd_score: float
    ratings: int
    weight: int


def track_weight(crowd_score: float) -> int:
    share = (crowd_score - APPROVED_SCORE) / (1 - APPROVED_SCORE)
    return 1 + round(max(0.0, min(1.0, share)) * (MAX_WEIGHT - 1))


def tuned_counts(chosen: list[ApprovedTrack], corpus_pieces: int) -> list[tuple[int, int]]:
    """Each approved track and how many times training counts it (at least its weight)."""
    total = sum(t.weight for t in chosen)
    target = corpus_pieces * TUNED_SHARE / (1 - TUNED_SHARE)
    scale = max(1.0, target / total) if total else 1.0
    cap = max(MAX_WEIGHT, round(corpus_pieces * TRACK_CAP))
    return [(t.track_id, max(t.weight, min(cap, round(t.weight * scale)))) for t in chosen]


def approved_tracks() -> list[ApprovedTrack]:
    """The crowd-approved published tracks, best first (ties by id), with their weights."""
    rows = (
        Track.objects.filter(
            status=Track.Status.READY,
            stats__crowd_score__gte=APPROVED_SCORE,
            stats__rating_count__gte=MIN_RATINGS,
        )
        .exclude(midi="")
        .order_by("-stats__crowd_score", "pk")
        .values_list("pk", "stats__crowd_score", "stats__rating_count")[:MAX_TRACKS]
    )
    return [
        ApprovedTrack(pk, float(score), count, track_weight(float(score)))
        for pk, score, count in rows
    ]


def selection_rule() -> dict[str, Any]:
    """How the tracks were chosen, kept with the version's training record."""
    return {
        "approved_score": APPROVED_SCORE,
        "min_ratings": MIN_RATINGS,
        "max_weight": MAX_WEIGHT,
        "max_tracks": MAX_TRACKS,
        "tuned_share": TUNED_SHARE,
        "track_cap": TRACK_CAP,
    }


def _approved_or_refuse() -> list[ApprovedTrack]:
    chosen = approved_tracks()
    if not chosen:
        raise ApplicationError(
            f"No track is crowd-approved yet: one needs a crowd score of at least "
            f"{APPROVED_SCORE} from at least {MIN_RATINGS} counted ratings.",
            code="nothing_to_tune",
            status_code=409,
        )
    return chosen


def composer_tune_request(*, created_by: AbstractBaseUser | AnonymousUser | None) -> int:
    """Queue the training of a crowd-tuned candidate (seconds to a minute: it composes each
    approved track again, then counts the corpus); refused at once when nothing is approved.
    Returns how many tracks it will be tuned on."""
    chosen = _approved_or_refuse()
    user_id = created_by.pk if isinstance(created_by, get_user_model()) else None
    transaction.on_commit(lambda: dispatch.send(TUNE_COMPOSER, {"created_by_id": user_id}))
    return len(chosen)


def composer_tune(*, created_by_id: int | None = None) -> ComposerVersion:
    """Train a crowd-tuned candidate from the tracks the crowd approved (it then duels the
    current version in the arena; it composes nothing until promoted)."""
    chosen = _approved_or_refuse()
    created_by = (
        get_user_model().objects.filter(pk=created_by_id).first() if created_by_id else None
    )
    selection = {
        **selection_rule(),
        "scores": {str(t.track_id): round(t.crowd_score, 4) for t in chosen},
    }
    # The current version's corpus: the one the candidate is trained on (composer_version_train).
    corpus_pieces = int(model_get().info.get("pieces", 0))
    return composer_version_train(
        tuned=tuned_counts(chosen, corpus_pieces),
        created_by=created_by,
        selection=selection,
    )


def duels_judge() -> dict[str, list[str]]:
    """Promote each candidate that credibly beats the current version in the arena, set
    aside each that credibly loses (beat, and after each arena refit). The first to win is
    promoted; the others' duels were against a version no longer current, so they wait for
    new ones."""
    done: dict[str, list[str]] = {PROMOTE: [], RETIRE: []}
    candidates = list(
        ComposerVersion.objects.filter(status=ComposerVersion.Status.CANDIDATE).order_by("pk")
    )
    records = duel_records(candidates, against_current=True)
    for candidate in candidates:
        decision = records[candidate.pk].decision
        if decision == PROMOTE and not done[PROMOTE]:
            composer_version_promote(version_id=candidate.pk, how=ComposerVersion.How.ARENA)
            done[PROMOTE].append(candidate.version)
        elif decision == RETIRE:
            composer_version_retire(version_id=candidate.pk)
            done[RETIRE].append(candidate.version)
    if done[PROMOTE] or done[RETIRE]:
        logger.info("composer duels judged: %s", done)
    return done
