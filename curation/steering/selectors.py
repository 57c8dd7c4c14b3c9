"""Reads for steering: the tracks the preference model learns from (the one home of that
query and of the held-out split), the current version's effects in a producer's units, its
calibration, the steering history per batch, and the fitted versions."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import Avg, Count, Min, Q, QuerySet

from curation import scoring
from curation.models import Rating
from curation.rules import counted_voters
from curation.steering import bayes, reliability
from curation.steering.models import PreferenceModel, TrackSteering
from generation.features import (
    NAMES,
    PRESET_NAMES,
    TEMPO_WITHIN,
    track_features,
    unvaried_scale,
)
from generation.models import Track, preset_label

# Fewer rated tracks than this (not counting those kept back) say too little to steer by.
MIN_TRACKS = 20
# Every fifth track (by id) is kept back, to measure how well the fit predicts unseen tracks.
HOLD_OUT_EVERY = 5
Z90 = 1.6449  # the two-sided 90% interval of a normal
VERSIONS_SHOWN = 20
HISTORY_BATCHES = 30
# The steered batches whose presets the exploring slots balance (100 tracks at 20 a batch).
RECENT_BATCHES = 5

# A row the model learns from: (track id, features, crowd score, rating count), the score and
# the count with each rating at its listener's weight (curation.steering.reliability).
Row = tuple[int, list[float], float, float]


@dataclass(frozen=True)
class PreferenceData:
    train: list[Row]
    held: list[Row]
    doubted: int = 0  # listeners whose stars weigh less than 1 (curation.steering.reliability)

    @property
    def tracks_needed(self) -> int:
        """How many more fitted (not kept-back) rated tracks before a fit happens."""
        return max(0, MIN_TRACKS - len(self.train))


def preference_data(*, weigh: bool = True) -> PreferenceData:
    """Published tracks with ratings whose features are all known, split into the tracks
    fitted on and those kept back for calibration. Each track's figure is its crowd score
    with each rating counted at its listener's weight (curation.steering.reliability), and so
    is its rating count: while every listener weighs 1, the figures the site publishes.
    `weigh=False` skips the weights (and reading every rating) for those who only count the
    tracks: the same tracks either way (no weight is 0)."""
    ratings = (
        list(
            Rating.objects.filter(counted_voters(), track__status=Track.Status.READY).values_list(
                "listener_id", "track_id", "stars"
            )
        )
        if weigh
        else []
    )
    weights = reliability.listener_weights(ratings)
    doubted: dict[int, list[tuple[int, int]]] = {}  # per track, ratings weighing less than 1
    for listener_id, track_id, stars in ratings:
        if weights[listener_id] < 1.0:
            doubted.setdefault(track_id, []).append((listener_id, stars))
    rows: list[Row] = []
    for pk, preset, resolved, energy, metrics, score, count, *figures in (
        Track.objects.filter(status=Track.Status.READY, stats__rating_count__gt=0)
        .order_by("pk")
        .values_list(
            "pk",
            "preset",
            "resolved_params",
            "energy",
            "metrics",
            "stats__crowd_score",
            "stats__rating_count",
            *(f"stats__stars_{k}" for k in scoring.STARS),
            "stats__listen_through_sum",
            "stats__unique_listeners",
            "stats__skips",
            "stats__plays",
        )
    ):
        features = track_features(preset=preset, resolved=resolved, energy=energy, metrics=metrics)
        if features is None:
            continue
        if pk in doubted:
            published, listening = figures[: len(scoring.STARS)], figures[len(scoring.STARS) :]
            counts = reliability.weighted_stars(published, doubted[pk], weights)
            score, count = scoring.crowd_score(counts, *listening), sum(counts)
        if count > 0:
            rows.append((pk, features, score, count))
    return PreferenceData(
        train=[row for row in rows if seen(row[0])],
        held=[row for row in rows if not seen(row[0])],
        doubted=sum(weight < 1.0 for weight in weights.values()),
    )


def seen(track_id: int) -> bool:
    """Whether the fit may learn from this track: every fifth is kept back, and so are the
    verdicts and picks on it, so nothing of it is seen."""
    return bool(track_id % HOLD_OUT_EVERY)


def recent_presets(batches: int = RECENT_BATCHES) -> dict[str, int]:
    """Tracks per preset in the latest steered batches, those the quality gate or a failure
    turned away left out (what the policy balances its exploring slots by)."""
    latest = (
        TrackSteering.objects.values_list("track__batch_id", flat=True)
        .distinct()
        .order_by("-track__batch_id")[:batches]
    )
    rows = (
        Track.objects.filter(batch_id__in=list(latest))
        .exclude(status__in=(Track.Status.REJECTED, Track.Status.FAILED))
        .values_list("preset")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def preference_current() -> PreferenceModel | None:
    """The newest version fitted on today's features (generation.features.NAMES): one fitted
    on others cannot score today's tracks, and the next refit replaces it."""
    return PreferenceModel.objects.filter(features=NAMES).first()


@dataclass(frozen=True)
class Overview:
    """What the steering page and GET /api/v1/steering/ show: the current version (None
    before the first fit), its effects and calibration, and how many tracks it can use."""

    version: PreferenceModel | None
    effects: list["Effect"]
    calibration: dict[str, Any] | None
    data: PreferenceData

    @property
    def tracks_usable(self) -> int:
        return len(self.data.train)

    @property
    def tracks_held_out(self) -> int:
        return len(self.data.held)

    @property
    def tracks_needed(self) -> int:
        return self.data.tracks_needed

    @property
    def min_tracks(self) -> int:
        return MIN_TRACKS

    @property
    def baseline(self) -> str:
        return baseline_label()


def steering_overview() -> Overview:
    version = preference_current()
    return Overview(
        version=version,
        effects=[] if version is None else preference_effects(version),
        calibration=None if version is None else preference_calibration(version),
        data=preference_data(weigh=False),
    )


def preference_posterior(version: PreferenceModel) -> bayes.Posterior:
    return bayes.Posterior(
        mean=np.array(version.coefficients, dtype=np.float64),
        covariance=np.array(version.covariance, dtype=np.float64),
        noise=version.noise,
    )


# How each feature's effect is put to a producer: the change it is read over, in its own
# units (a preset or minor: switching it on; a number: a step a producer would choose).
STEPS: dict[str, tuple[float, str, str]] = {
    "minor": (1.0, "Minor", "instead of major"),
    "tempo_bpm": (10.0, "Tempo", "per +10 BPM in every preset"),
    "temperature": (0.1, "Temperature", "per +0.1"),
    "target_seconds": (30.0, "Target length", "per +30 s"),
    "energy": (0.1, "Energy", "per +0.1"),
    "scale_consistency": (0.05, "Scale consistency", "per +0.05"),
    "pitch_entropy": (0.25, "Pitch entropy", "per +0.25 bits"),
    "mean_abs_interval": (1.0, "Mean interval", "per +1 semitone"),
}


@dataclass(frozen=True)
class Effect:
    """One feature's effect on the crowd score (0..1) over its step, with a 90% interval."""

    feature: str
    label: str
    unit: str
    change: float
    low: float
    high: float
    sd: float
    tried: bool  # false: the fitted tracks never varied it, so the figure is the prior's

    @property
    def credible(self) -> str:
        """'up' or 'down' when the interval leaves out 0, else 'unsure'."""
        return "up" if self.low > 0 else "down" if self.high < 0 else "unsure"


def baseline_label() -> str:
    """The preset every other preset's effect is measured against."""
    return preset_label(PRESET_NAMES[0])


def preference_effects(version: PreferenceModel) -> list[Effect]:
    """The version's effects in the units of STEPS (a preset against the baseline preset; a
    preset's tempo: the slope every preset shares plus its own), largest first, those no
    fitted track varied last."""
    posterior = preference_posterior(version)
    baseline = baseline_label()
    tempo = version.features.index("tempo_bpm") if "tempo_bpm" in version.features else None
    effects = []
    for i, feature in enumerate(version.features):
        # Each effect is a linear read of the (standardised) coefficients: change = a . w.
        a = np.zeros(len(version.features))
        if feature.startswith("preset:"):
            name = feature.removeprefix("preset:")
            step, label, unit = 1.0, preset_label(name), f"instead of {baseline}"
        elif feature.startswith(TEMPO_WITHIN) and tempo is not None:
            name = feature.removeprefix(TEMPO_WITHIN)
            step, label, unit = 10.0, f"Tempo in {preset_label(name)}", "per +10 BPM"
            a[tempo] = step / version.scale[tempo]
        else:
            step, label, unit = STEPS.get(feature, (1.0, feature, "per +1"))
        a[i] += step / version.scale[i]  # coefficients are per standard deviation
        change = float(a @ posterior.mean)
        sd = float(np.sqrt(posterior.noise * a @ posterior.covariance @ a))
        binary = feature == "minor" or feature.startswith("preset:")
        # A feature no fitted track varied got its unvaried scale from the fit.
        tried = (
            0.0 < version.centre[i] < 1.0 if binary else version.scale[i] != unvaried_scale(feature)
        )
        effects.append(
            Effect(feature, label, unit, change, change - Z90 * sd, change + Z90 * sd, sd, tried)
        )
    return sorted(effects, key=lambda e: (not e.tried, -abs(e.change)))


def preference_calibration(version: PreferenceModel) -> dict[str, Any]:
    """Predicted against actual on the tracks the version kept back."""
    calibration = version.calibration or {}
    return {
        "points": calibration.get("points", []),
        "mean_abs_error": calibration.get("mean_abs_error"),
        "coverage90": calibration.get("coverage90"),
    }


def preference_versions(limit: int = VERSIONS_SHOWN) -> QuerySet[PreferenceModel]:
    """The newest fitted versions, without their posterior (what a list shows)."""
    return PreferenceModel.objects.only(
        "fitted_at", "data_until", "samples", "held_out", "calibration"
    )[:limit]


@dataclass(frozen=True)
class BatchSteering:
    """A steered batch: the mean crowd score of its rated steered and exploring tracks."""

    batch_id: int
    created_at: datetime
    steered_mean: float | None
    steered_rated: int
    exploring_mean: float | None
    exploring_rated: int
    tracks: int

    @property
    def rated(self) -> int:
        return self.steered_rated + self.exploring_rated


def steering_history(limit: int = HISTORY_BATCHES) -> list[BatchSteering]:
    """The latest steered batches, oldest first (one query)."""
    rated = Q(track__stats__rating_count__gt=0)
    steered, exploring = rated & Q(steered=True), rated & Q(steered=False)
    rows = (
        TrackSteering.objects.values("track__batch_id")
        .annotate(
            created_at=Min("track__batch__created_at"),
            steered_mean=Avg("track__stats__crowd_score", filter=steered),
            steered_rated=Count("pk", filter=steered),
            exploring_mean=Avg("track__stats__crowd_score", filter=exploring),
            exploring_rated=Count("pk", filter=exploring),
            tracks=Count("pk"),
        )
        .order_by("-track__batch_id")[:limit]
    )
    return [
        BatchSteering(
            batch_id=row["track__batch_id"],
            created_at=row["created_at"],
            steered_mean=row["steered_mean"],
            steered_rated=row["steered_rated"],
            exploring_mean=row["exploring_mean"],
            exploring_rated=row["exploring_rated"],
            tracks=row["tracks"],
        )
        for row in reversed(rows)
    ]
