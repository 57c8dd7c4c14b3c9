"""What the preference model learns from, and how much each piece weighs: each track's crowd
score, arena verdicts and producer picks, all as rows of the one conjugate fit
(curation.steering.bayes), in crowd-score units. docs/steering.md ("What it learns from")
explains the rule and its constants.

- A rated track: its features against its crowd score, weighted n / (n + 3) by its n ratings.
- An arena verdict: the two tracks' feature difference against VERDICT_GAP (a won), -VERDICT_GAP
  (b won) or 0 (a tie); the intercept cancels in a difference. Each counted listener's verdicts
  together weigh what one rating weighs in the fit (listener_weight), shared equally.
- A producer's shortlist or veto: the track's features against PICK_HIGH or PICK_LOW, weighted by
  SteeringSettings.picks_weight (0: left out).
"""

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from curation.albums.models import TrackPick
from curation.arena.services import SCORES
from curation.models import ArenaVote
from curation.rules import counted_voters
from curation.scoring import CROWD_WEIGHTS
from generation.features import track_features
from generation.models import Track

# A track's weight grows with its ratings: n / (n + RATINGS_FOR_HALF_WEIGHT).
RATINGS_FOR_HALF_WEIGHT = 3
# The most one rating adds to a track's weight (its first: 0 -> 1 / 4).
ONE_RATING = 1 / (1 + RATINGS_FOR_HALF_WEIGHT)

# The crowd-score difference one verdict stands for (about 0.25), derived from the arena's
# Bradley-Terry model, P(a beats b) = logistic(delta) in natural-log strengths:
# - near even odds logistic(delta) ~ 1/2 + delta / 4, so 4 (s - 1/2), with s the verdict's
#   score (1, 1/2, 0: curation.arena.services.SCORES), is an unbiased one-verdict estimate of
#   delta: +2, 0 or -2 logits;
# - a logit in stars: a listener hears each track as its crowd mean plus their own spread of
#   RATING_SD_STARS, so P(a beats b) = Phi(stars difference / (sd sqrt 2)), and the logistic
#   matches the normal when stretched by LOGISTIC_PROBIT: one logit is sd sqrt 2 / 1.702 stars;
# - a star in crowd score: the stars' share of it over the four steps from 1 to 5 stars.
# A verdict speaks to which track is better (the stars), not to listening, and cannot say how
# much: near even odds it is exact, for far-apart tracks it understates, so the crowd scores
# carry the size of an effect and verdicts mostly its sign.
RATING_SD_STARS = 1.0  # one listener's stars about a track's mean, as 5-star ratings spread
LOGISTIC_PROBIT = 1.702  # logistic(1.702 z) ~ Phi(z) (Bowling et al. 2009)
LOGITS_PER_WIN = 2.0  # 4 (1 - 1/2)
STARS_PER_LOGIT = RATING_SD_STARS * math.sqrt(2) / LOGISTIC_PROBIT  # 0.83
CROWD_PER_STAR = CROWD_WEIGHTS["stars"] / 4  # 0.15
VERDICT_GAP = LOGITS_PER_WIN * STARS_PER_LOGIT * CROWD_PER_STAR  # 0.249

# A producer's shortlist as a crowd score at the top of its 0..1 range, a veto at the bottom
# (album suggestions count a shortlist as 1 on the same scale).
PICK_HIGH = 1.0
PICK_LOW = 0.0


@dataclass(frozen=True)
class Verdict:
    listener_id: int
    a: int  # track ids
    b: int
    features_a: list[float]
    features_b: list[float]
    gap: float  # in crowd score, a minus b


@dataclass(frozen=True)
class Pick:
    track: int
    features: list[float]
    score: float


def track_weight(ratings: float) -> float:
    return ratings / (ratings + RATINGS_FOR_HALF_WEIGHT)


def listener_weight(ratings: list[float]) -> float:
    """What one listener's arena verdicts weigh together, however many they give: what one
    rating weighs in this fit (the rated tracks' weight over their ratings), at most
    ONE_RATING. Each listener counts once, as issue 8 counts them, so a flood of verdicts
    cannot outweigh the crowd, and the arena speaks as loud as the ratings, not louder."""
    total = sum(ratings)
    return min(ONE_RATING, sum(track_weight(n) for n in ratings) / total) if total else 0.0


def verdict_gap(outcome: str) -> float:
    """+VERDICT_GAP when a won, -VERDICT_GAP when b won, 0 for a tie."""
    return 2 * (SCORES[outcome] - 0.5) * VERDICT_GAP


_FEATURE_FIELDS = ("preset", "resolved_params", "energy", "metrics")


def verdicts() -> list[Verdict]:
    """The arena verdicts that count, as the arena fit counts them (curation.arena.services
    .arena_fit_batch): from proven, unflagged listeners, latest per pair, "both bad" left
    out; only on published tracks whose features are known. Ordered by id."""
    rows = (
        ArenaVote.objects.filter(
            counted_voters(),
            replaced=False,
            track_a__status=Track.Status.READY,
            track_b__status=Track.Status.READY,
        )
        .exclude(outcome=ArenaVote.Outcome.BOTH_BAD)
        .order_by("pk")
        .values_list(
            "listener_id",
            "outcome",
            "track_a_id",
            *(f"track_a__{name}" for name in _FEATURE_FIELDS),
            "track_b_id",
            *(f"track_b__{name}" for name in _FEATURE_FIELDS),
        )
    )
    found = []
    for listener_id, outcome, a, *fields in rows:
        b = fields[len(_FEATURE_FIELDS)]
        features_a = _features(fields[: len(_FEATURE_FIELDS)])
        features_b = _features(fields[len(_FEATURE_FIELDS) + 1 :])
        if features_a is not None and features_b is not None:
            found.append(Verdict(listener_id, a, b, features_a, features_b, verdict_gap(outcome)))
    return found


def verdict_weights(chosen: list[Verdict], listener: float) -> list[float]:
    """Each verdict's weight: its listener's weight, shared among their verdicts here."""
    per_listener = Counter(v.listener_id for v in chosen)
    return [listener / per_listener[v.listener_id] for v in chosen]


def picks() -> list[Pick]:
    """Shortlisted and vetoed published tracks whose features are known, by track id."""
    rows = (
        TrackPick.objects.filter(
            Q(shortlisted=True) | Q(vetoed=True), track__status=Track.Status.READY
        )
        .order_by("track_id")
        .values_list("track_id", "shortlisted", *(f"track__{n}" for n in _FEATURE_FIELDS))
    )
    found = []
    for track, shortlisted, *fields in rows:
        if (features := _features(fields)) is not None:
            found.append(Pick(track, features, PICK_HIGH if shortlisted else PICK_LOW))
    return found


def _features(fields: list[Any]) -> list[float] | None:
    preset, resolved, energy, metrics = fields
    return track_features(preset=preset, resolved=resolved, energy=energy, metrics=metrics)
