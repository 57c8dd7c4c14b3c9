"""Fitting the crowd's preference model: each published track's crowd score (the figures
that count: ratings past the listen gate from proven, unflagged listeners, and their
listening, curation.rules.counted_voters) against its features (generation.features).
Refitted on a beat schedule and on demand; every fit is stored as a version."""

from datetime import datetime
from typing import Any

import numpy as np
from django.utils import timezone

from curation.steering import bayes
from curation.steering.models import PreferenceModel
from generation.features import NAMES, track_features
from generation.models import Track

# Fewer rated tracks than this say too little to steer by.
MIN_TRACKS = 20
# Every fifth track (by id) is kept back, to measure how well the fit predicts unseen tracks.
HOLD_OUT_EVERY = 5
# A track's weight grows with its ratings: n / (n + RATINGS_FOR_HALF_WEIGHT).
RATINGS_FOR_HALF_WEIGHT = 3
Z90 = 1.6449  # the two-sided 90% interval of a normal


def preference_fit(*, now: datetime | None = None) -> PreferenceModel | None:
    """Fit a new version from the figures as they stand; None while fewer than MIN_TRACKS
    rated tracks have features."""
    now = now or timezone.now()
    rows = [
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
    train = [row for row in rows if row[0] % HOLD_OUT_EVERY]
    held = [row for row in rows if not row[0] % HOLD_OUT_EVERY]
    if len(train) < MIN_TRACKS:
        return None
    x = np.array([row[1] for row in train], dtype=np.float64)
    centre, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0  # a feature every track shares says nothing
    y = np.array([row[2] for row in train], dtype=np.float64)
    counts = np.array([row[3] for row in train], dtype=np.float64)
    intercept = float(y.mean())
    posterior = bayes.fit(
        (x - centre) / scale, y - intercept, counts / (counts + RATINGS_FOR_HALF_WEIGHT)
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
    )
    version.calibration = _calibration(version, held)
    version.save()
    return version


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
