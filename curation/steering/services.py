"""Fitting the crowd's preference model: each published track's crowd score (the figures
that count: ratings past the listen gate from proven, unflagged listeners, and their
listening, curation.rules.counted_voters) against its features (generation.features),
with arena verdicts and, as far as the producers weigh them, their picks
(curation.steering.evidence). Refitted on a beat schedule and on demand; every fit is stored
as a version, with what it learned from."""

from datetime import datetime
from typing import Any

import numpy as np
from django.utils import timezone

from albumvote.exceptions import ApplicationError
from curation.steering import bayes, evidence
from curation.steering.models import PreferenceModel, SteeringSettings
from generation.features import NAMES, track_features
from generation.models import Track

# Fewer rated tracks than this say too little to steer by.
MIN_TRACKS = 20
# Every fifth track (by id) is kept back, to measure how well the fit predicts unseen tracks;
# verdicts and picks on a kept-back track are left out too, so nothing of it is seen.
HOLD_OUT_EVERY = 5
Z90 = 1.6449  # the two-sided 90% interval of a normal


def preference_fit(*, now: datetime | None = None) -> PreferenceModel | None:
    """Fit a new version from the figures as they stand; None while fewer than MIN_TRACKS
    rated tracks have features."""
    now = now or timezone.now()
    rows = _rated_tracks()
    train = [row for row in rows if _seen(row[0])]
    held = [row for row in rows if not _seen(row[0])]
    if len(train) < MIN_TRACKS:
        return None
    x = np.array([row[1] for row in train], dtype=np.float64)
    centre, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0  # a feature every track shares says nothing
    y = np.array([row[2] for row in train], dtype=np.float64)
    intercept = float(y.mean())
    weights = [evidence.track_weight(row[3]) for row in train]

    # Arena verdicts: the feature difference against the verdict's gap (the intercept cancels).
    verdicts = [v for v in evidence.verdicts() if _seen(v.a) and _seen(v.b)]
    listener_weight = evidence.listener_weight([row[3] for row in train])
    shares = evidence.verdict_weights(verdicts, listener_weight)
    # Producer picks, as far as the producers weigh them (0: not at all, not even a row).
    picks_weight = SteeringSettings.current().picks_weight
    picks = [p for p in evidence.picks() if _seen(p.track)] if picks_weight > 0 else []
    features = [
        *((x - centre) / scale),
        *((np.array(v.features_a) - np.array(v.features_b)) / scale for v in verdicts),
        *((np.array(p.features) - centre) / scale for p in picks),
    ]
    targets = [*(y - intercept), *(v.gap for v in verdicts), *(p.score - intercept for p in picks)]
    weights += [*shares, *([picks_weight] * len(picks))]
    posterior = bayes.fit(
        np.array(features, dtype=np.float64),
        np.array(targets, dtype=np.float64),
        np.array(weights, dtype=np.float64),
        pseudo=len(verdicts) + len(picks),
    )
    version = PreferenceModel(
        fitted_at=timezone.now(),
        data_until=now,
        samples=len(train),
        held_out=len(held),
        features=NAMES,
        centre=centre.tolist(),
        scale=scale.tolist(),
        intercept=intercept,
        coefficients=posterior.mean.tolist(),
        covariance=posterior.covariance.tolist(),
        noise=posterior.noise,
        calibration={},
        sources={
            "tracks": len(train),
            "arena_verdicts": len(verdicts),
            "arena_listeners": len({v.listener_id for v in verdicts}),
            "verdict_gap": evidence.VERDICT_GAP,
            "listener_weight": listener_weight,
            "picks_shortlisted": sum(p.score == evidence.PICK_HIGH for p in picks),
            "picks_vetoed": sum(p.score == evidence.PICK_LOW for p in picks),
            "picks_weight": picks_weight,
        },
    )
    version.calibration = _calibration(version, held)
    version.save()
    return version


def preference_refit() -> PreferenceModel:
    """Fit a new version now, on a producer's demand (the steering page and its API); while
    too few tracks are rated, says how many there are and how many it needs."""
    version = preference_fit()
    if version is None:
        rated = sum(_seen(row[0]) for row in _rated_tracks())
        raise ApplicationError(
            f"The model learns from {MIN_TRACKS} rated tracks (besides those kept back to "
            f"check it); there are {rated}.",
            code="too_few_tracks",
            details={"rated_tracks": rated, "needed": MIN_TRACKS},
            status_code=409,
        )
    return version


def _seen(track_id: int) -> bool:
    """Whether the fit may learn from this track (the rest are kept back for calibration)."""
    return bool(track_id % HOLD_OUT_EVERY)


def _rated_tracks() -> list[tuple[int, list[float], float, int]]:
    """Each rated published track with features: id, features, crowd score, ratings."""
    return [
        (pk, features, score, count)
        for pk, preset, resolved, energy, metrics, score, count in Track.objects.filter(
            status=Track.Status.READY, stats__rating_count__gt=0
        )
        .order_by("pk")
        .values_list(
            "pk",
            "preset",
            "resolved_params",
            "energy",
            "metrics",
            "stats__crowd_score",
            "stats__rating_count",
        )
        if (
            features := track_features(
                preset=preset, resolved=resolved, energy=energy, metrics=metrics
            )
        )
        is not None
    ]


def preference_predict(version: PreferenceModel, features: list[float]) -> tuple[float, float]:
    """A track's predicted crowd score under this version: mean and standard deviation."""
    x = (np.array(features) - np.array(version.centre)) / np.array(version.scale)
    mean, sd = _posterior(version).predict(x)
    return version.intercept + mean, sd


def _posterior(version: PreferenceModel) -> bayes.Posterior:
    return bayes.Posterior(
        mean=np.array(version.coefficients, dtype=np.float64),
        covariance=np.array(version.covariance, dtype=np.float64),
        noise=version.noise,
    )


def _calibration(version: PreferenceModel, held: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Predicted against actual on the tracks kept back: each point, the mean absolute
    error, and the share inside their 90% interval."""
    points = []
    for pk, features, actual, _ in held:
        mean, sd = preference_predict(version, features)
        points.append({"track": pk, "predicted": mean, "sd": sd, "actual": actual})
    if not points:
        return {"points": [], "mean_abs_error": None, "coverage90": None}
    errors = [abs(p["actual"] - p["predicted"]) for p in points]
    inside = [e <= Z90 * p["sd"] for e, p in zip(errors, points, strict=True)]
    return {
        "points": points,
        "mean_abs_error": float(np.mean(errors)),
        "coverage90": float(np.mean(inside)),
    }
