"""The crowd-tuned composer's figure of bench/steering.py (tuned_model_win_rate).

On a fresh site a crowd with the hidden taste steering_tastes.MELODIC (in key, varied
pitches, stepwise) hears and rates a few of today's uniform batches, composed by the base
version, through the services (bench/steering_crowd.py). curation.steering.tuning
.composer_tune then trains a candidate from the tracks that crowd approved, as a producer's
"tune" does. Then both versions compose the same parameters and seeds (a uniform batch's,
every preset, seeds the crowd never heard) and MELODIC.true judges each pair: the figure is
the candidate's share of wins, ties half, over the pairs both versions publish (a piece the
quality gate rejects is never heard; the rejections are reported beside it).

The candidate's artifact is written to a model folder of the run's own (the current version
copied into it), so the bench never adds a version to a --model-dir it was lent. Django
must be set up first (bench/steering.py does it).
"""

from __future__ import annotations

import shutil
import statistics
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import override_settings

from bench import steering_crowd as crowd_
from bench import steering_tastes as tastes
from bench.steering_compose import compose_batch, compose_for_oracle, composed, without_rendering
from bench.steering_run import BETWEEN_ROUNDS, launch, site_reset
from curation.steering.tuning import approved_tracks, composer_tune
from generation.composer.model import POINTER, current_artifact
from generation.services import BatchParams, batch_track_params
from generation.versions import composer_version_sync

TASTE = tastes.MELODIC
PAIRS = 200
# The pairs' base seed: far from the heard batches' (steering_run.SEED + round), so the
# candidate is judged on pieces it was not tuned on.
PAIR_SEED = 90_000


@dataclass
class Tuned:
    win_rate: float | None
    figures: dict[str, Any]


def tuned_model_win_rate(
    *, listeners: int, loudness: dict[str, float], rounds: int, pairs: int = PAIRS
) -> Tuned:
    """Hear, tune, compose pairs, judge (the module's docstring says how)."""
    model_dir = Path(settings.DATA_DIR) / "tuned-models"
    own = _own_model_dir(Path(settings.COMPOSER_MODEL_DIR), model_dir)
    with override_settings(COMPOSER_MODEL_DIR=own), without_rendering(loudness):
        site_reset()
        heard, tally = _hear(listeners, rounds)
        approved = approved_tracks()
        if not approved:
            return Tuned(None, {"heard_tracks": len(heard), "approved_tracks": 0})
        base = composer_version_sync().version
        candidate = composer_tune()
        judged = _pairs(loudness, base, candidate.version, pairs)
    wins = [_win(b, c) for b, c in judged["both"]]
    base_true = [TASTE.true(b) for b, _ in judged["both"]]
    tuned_true = [TASTE.true(c) for _, c in judged["both"]]
    by_id = {t.track_id: t for t in approved}
    heard_true = [true for pk, true in heard]
    approved_true = [true for pk, true in heard if pk in by_id]
    training = candidate.training
    return Tuned(
        round(statistics.fmean(wins), 3) if wins else None,
        {
            "rounds": rounds,
            "heard_tracks": len(heard),
            "ratings_counted": tally.counted,
            "approved_tracks": len(approved),
            "tuned_tracks": len(training["tuned"]),
            "tuned_weight": training["tuned_weight"],
            "corpus_pieces": training["corpus_pieces"],
            "heard_mean_true_stars": _round(heard_true),
            "approved_mean_true_stars": _round(approved_true),
            "pairs": len(wins),
            "pairs_asked": pairs,
            "rejected": {"base": judged["rejected_base"], "tuned": judged["rejected_tuned"]},
            "base_mean_true_stars": _round(base_true),
            "tuned_mean_true_stars": _round(tuned_true),
            "ties": sum(w == 0.5 for w in wins),
            "metrics": {
                side: _metric_means([p[n] for p in judged["both"]])
                for n, side in ((0, "base"), (1, "tuned"))
            },
        },
    )


def _own_model_dir(lent: Path, own: Path) -> Path:
    """A model folder holding the lent folder's current version, for the candidate."""
    own.mkdir(parents=True, exist_ok=True)
    artifact = current_artifact(lent)
    shutil.copy2(artifact, own / artifact.name)
    (own / POINTER).write_text(artifact.name + "\n")
    return own


def _hear(listeners: int, rounds: int) -> tuple[list[tuple[int, float]], crowd_.Tally]:
    """The crowd hears `rounds` uniform batches; each published track's id and true stars."""
    clock = crowd_.Clock(behind=timedelta(days=10))
    with clock.serving():
        people = crowd_.crowd(listeners, 0, None, seed=1)
    tally = crowd_.Tally()
    heard: list[tuple[int, float]] = []
    for number in range(1, rounds + 1):
        with clock.serving():
            tracks = compose_batch(launch(number, steer=False))
        found = [
            crowd_.Heard(t.pk, float(t.duration_s or 0), TASTE.true(composed(t)), t.preset)
            for t in tracks
        ]
        crowd_.hear_round(clock, people, found, number, tally)
        clock.set(clock.now + BETWEEN_ROUNDS)
        heard.extend((h.id, h.true) for h in found)
    return heard, tally


def _pairs(loudness: dict[str, float], base: str, tuned: str, count: int) -> dict[str, Any]:
    """Both versions on one uniform batch's parameters and seeds (every preset in turn)."""
    singles = batch_track_params(BatchParams(count=count, seed=PAIR_SEED), base_seed=PAIR_SEED)
    by_base, by_tuned = compose_for_oracle(loudness, base), compose_for_oracle(loudness, tuned)
    both, rejected_base, rejected_tuned = [], 0, 0
    for params in singles:
        b, c = by_base(params, params["seed"]), by_tuned(params, params["seed"])
        rejected_base += b is None
        rejected_tuned += c is None
        if b is not None and c is not None:
            both.append((b, c))
    return {"both": both, "rejected_base": rejected_base, "rejected_tuned": rejected_tuned}


def _win(base: tastes.Composed, tuned: tastes.Composed) -> float:
    b, c = TASTE.true(base), TASTE.true(tuned)
    return 1.0 if c > b else 0.0 if c < b else 0.5


def _metric_means(found: list[tastes.Composed]) -> dict[str, float]:
    names = ("scale_consistency", "pitch_entropy", "mean_abs_interval")
    return {n: round(statistics.fmean(t.metrics[n] for t in found), 4) for n in names if found}


def _round(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None
