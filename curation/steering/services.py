"""Fitting the crowd's preference model: each published track's crowd score (the figures
that count: ratings past the listen gate from proven, unflagged listeners, and their
listening, curation.rules.counted_voters) against its features (generation.features),
with arena verdicts and, as far as the producers weigh them, their picks
(curation.steering.evidence). Refitted on a beat schedule and on demand; every fit is stored
as a version, with what it learned from. Also the producers' steering controls: the picks
weight and a schedule's steering."""

from datetime import datetime
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from albumvote.exceptions import ApplicationError
from curation.steering import bayes, evidence
from curation.steering.models import PreferenceModel, SteeringSettings
from curation.steering.selectors import (
    MIN_TRACKS,
    Z90,
    Row,
    preference_data,
    preference_posterior,
    seen,
)
from generation import planning, schedules
from generation.features import NAMES, unvaried_scale
from generation.models import BatchSchedule


def preference_fit(*, now: datetime | None = None) -> PreferenceModel | None:
    """Fit a new version from the figures as they stand; None while fewer than MIN_TRACKS
    rated tracks have features."""
    now = now or timezone.now()
    data = preference_data()
    train, held = data.train, data.held
    if len(train) < MIN_TRACKS:
        return None
    x = np.array([row[1] for row in train], dtype=np.float64)
    centre, scale = x.mean(axis=0), x.std(axis=0)
    # A feature no fitted track varied says nothing yet; its effect is left to the prior.
    unvaried = scale == 0
    scale[unvaried] = [unvaried_scale(name) for name, no in zip(NAMES, unvaried, strict=True) if no]
    y = np.array([row[2] for row in train], dtype=np.float64)
    intercept = float(y.mean())
    weights = [evidence.track_weight(row[3]) for row in train]

    # Arena verdicts: the feature difference against the verdict's gap (the intercept cancels).
    verdicts = [v for v in evidence.verdicts() if seen(v.a) and seen(v.b)]
    listener_weight = evidence.listener_weight([row[3] for row in train])
    shares = evidence.verdict_weights(verdicts, listener_weight)
    # Producer picks, as far as the producers weigh them (0: not at all, not even a row).
    picks_weight = SteeringSettings.current().picks_weight
    picks = [p for p in evidence.picks() if seen(p.track)] if picks_weight > 0 else []
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
            "listeners_weighed_down": data.doubted,
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
        data = preference_data()
        raise ApplicationError(
            f"{data.tracks_needed} more rated tracks are needed: the model learns from "
            f"{MIN_TRACKS} (besides those kept back to check it); there are {len(data.train)}.",
            code="too_few_tracks",
            details={
                "rated_tracks": len(data.train),
                "needed": MIN_TRACKS,
                "tracks_needed": data.tracks_needed,
            },
            status_code=409,
        )
    return version


def preference_predict(version: PreferenceModel, features: list[float]) -> tuple[float, float]:
    """A track's predicted crowd score under this version: mean and standard deviation."""
    x = (np.array(features) - np.array(version.centre)) / np.array(version.scale)
    mean, sd = preference_posterior(version).predict(x)
    return version.intercept + mean, sd


def _calibration(version: PreferenceModel, held: list[Row]) -> dict[str, Any]:
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


def steering_settings_update(*, picks_weight: object) -> SteeringSettings:
    """Set how much producer picks weigh against the crowd: a number from 0 to 1."""
    if isinstance(picks_weight, bool) or not isinstance(picks_weight, int | float):
        raise ApplicationError(
            "picks_weight must be a number from 0 to 1.", details={"field": "picks_weight"}
        )
    if not 0 <= picks_weight <= 1:
        raise ApplicationError(
            f"picks_weight must be from 0 to 1, got {picks_weight}.",
            details={"field": "picks_weight"},
        )
    with transaction.atomic():
        settings = SteeringSettings.current()
        settings.picks_weight = float(picks_weight)
        settings.save()
    return settings


def schedule_steering_set(
    *, schedule_id: int, steer: object = None, exploration: object = None
) -> BatchSchedule:
    """Turn steering on or off for a schedule and set its exploration share (None: leave
    it); saved through generation.schedules, which keeps its beat entry in step."""
    if steer is not None and not isinstance(steer, bool):
        raise ApplicationError("steer must be true or false.", details={"field": "steer"})
    share = None if exploration is None else planning.exploration_validate(exploration)
    with transaction.atomic():
        schedule = BatchSchedule.objects.select_for_update().filter(pk=schedule_id).first()
        if schedule is None:
            raise ApplicationError("No such schedule.", code="not_found", status_code=404)
        if steer is not None:
            schedule.steer = steer
        if share is not None:
            schedule.exploration = share
        return schedules.schedule_save(schedule=schedule)
