"""Celery entry points for curation: thin, keyword-only, the services do the work."""

from celery import shared_task

from curation.services.aggregates import stats_reconcile
from curation.services.refusals import refusals_flush


@shared_task(name="curation.flush_refusals")
def flush_refusals() -> int:
    return refusals_flush()


@shared_task(name="curation.reconcile_stats")
def reconcile_stats() -> int:
    """Recompute the per-track figures from the raw rows; repair and report any drift."""
    return len(stats_reconcile())
