"""Celery entry points for curation: thin, keyword-only, the services do the work."""

from celery import shared_task

from curation.arena.services import arena_fit_batch, arena_refit_stale
from curation.services.aggregates import stats_reconcile
from curation.services.flags import ratings_flag_anomalous
from curation.services.refusals import refusals_flush
from curation.steering.services import preference_fit
from curation.steering.tuning import composer_tune, duels_judge


@shared_task(name="curation.flush_refusals")
def flush_refusals() -> int:
    return refusals_flush()


@shared_task(name="curation.reconcile_stats")
def reconcile_stats() -> int:
    """Recompute the per-track figures from the raw rows; repair and report any drift."""
    return len(stats_reconcile())


@shared_task(name="curation.flag_raters")
def flag_raters() -> list[int]:
    """Flag the listeners who rated lately with ratings improbably far from the crowd's
    (beat, every minute): their votes leave the figures."""
    return ratings_flag_anomalous()


@shared_task(name="curation.fit_preferences")
def fit_preferences() -> int | None:
    """Fit a new version of the crowd's preference model (beat, every 15 minutes, and on
    demand); its id, or None while too few tracks are rated."""
    version = preference_fit()
    return version.pk if version else None


@shared_task(name="curation.fit_arena")
def fit_arena(*, batch_id: int) -> int:
    """Refit a batch's Bradley-Terry ratings (1,000 bootstrap resamples)."""
    return arena_fit_batch(batch_id=batch_id)


@shared_task(name="curation.refit_arena")
def refit_arena() -> list[int]:
    """Refit the batches that got arena votes since their last fit (beat, every minute)."""
    return arena_refit_stale()


@shared_task(name="curation.tune_composer", acks_late=True)
def tune_composer(*, created_by_id: int | None = None) -> int:
    """Train a crowd-tuned candidate composer version (asked for by a producer or a
    schedule); its id."""
    return composer_tune(created_by_id=created_by_id).pk


@shared_task(name="curation.judge_duels")
def judge_duels() -> dict[str, list[str]]:
    """Promote a candidate composer version that credibly beats the current one in the arena,
    set aside one that credibly loses (beat, every 5 minutes)."""
    return duels_judge()


# Album preview and export tasks live with the albums; importing them registers them.
from curation.albums import tasks as album_tasks  # noqa: E402, F401
