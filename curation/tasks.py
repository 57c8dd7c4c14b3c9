"""Celery entry points for curation: thin, keyword-only, the services do the work."""

from celery import shared_task

from curation.services.refusals import refusals_flush


@shared_task(name="curation.flush_refusals")
def flush_refusals() -> int:
    return refusals_flush()
