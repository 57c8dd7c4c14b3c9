"""Recurring batches: keeping django-celery-beat in step, and running one slot exactly once."""

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.schedules import crontab
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from albumvote.exceptions import ApplicationError

from .models import BatchSchedule, GenerationBatch
from .planning import exploration_validate, launch
from .services import BatchParams, batch_params_validate

logger = logging.getLogger(__name__)

TASK_NAME = "generation.launch_scheduled_batch"


def schedule_validate(*, schedule: BatchSchedule) -> None:
    batch_params_validate(
        {"count": schedule.count, "preset": schedule.preset, "temperature": schedule.temperature}
    )
    exploration_validate(schedule.exploration)
    try:
        _crontab(schedule)
    except ValueError as exc:
        raise ApplicationError(f"Bad crontab '{schedule.crontab_text}': {exc}") from exc


def schedule_save(*, schedule: BatchSchedule) -> BatchSchedule:
    """Save a schedule and create or update the beat entry that fires it."""
    schedule_validate(schedule=schedule)
    with transaction.atomic():
        schedule.save()
        crontab_row, _ = CrontabSchedule.objects.get_or_create(
            minute=schedule.minute,
            hour=schedule.hour,
            day_of_week=schedule.day_of_week,
            day_of_month=schedule.day_of_month,
            month_of_year=schedule.month_of_year,
            timezone="UTC",
        )
        task = schedule.periodic_task or PeriodicTask(task=TASK_NAME)
        task.name = f"Batch schedule: {schedule.name} (#{schedule.pk})"
        task.crontab = crontab_row
        task.interval = None
        task.kwargs = json.dumps({"schedule_id": schedule.pk})
        task.enabled = schedule.enabled
        task.save()
        if schedule.periodic_task_id != task.pk:
            schedule.periodic_task = task
            schedule.save(update_fields=["periodic_task"])
    return schedule


def schedule_set_enabled(*, schedule_id: int, enabled: bool) -> BatchSchedule:
    """Pause or resume a schedule; its beat entry follows (a paused entry never fires)."""
    with transaction.atomic():
        schedule = BatchSchedule.objects.select_for_update().filter(pk=schedule_id).first()
        if schedule is None:
            raise ApplicationError("No such schedule.", code="not_found", status_code=404)
        schedule.enabled = enabled
        return schedule_save(schedule=schedule)


def schedule_delete(*, schedule: BatchSchedule) -> None:
    with transaction.atomic():
        if schedule.periodic_task is not None:
            schedule.periodic_task.delete()
        schedule.delete()


def schedule_run(*, schedule_id: int, now: datetime | None = None) -> GenerationBatch | None:
    """Launch the batch for the current slot, unless that slot already has one."""
    schedule = BatchSchedule.objects.filter(pk=schedule_id).first()
    if schedule is None or not schedule.enabled:
        return None
    slot = schedule_slot(schedule, now or timezone.now())
    if GenerationBatch.objects.filter(schedule=schedule, schedule_slot=slot).exists():
        logger.info("schedule %s slot %s already ran; ignoring a repeated fire", schedule_id, slot)
        return None
    params = BatchParams(
        count=schedule.count, preset=schedule.preset or None, temperature=schedule.temperature
    )
    try:
        return launch(
            params=params,
            source=GenerationBatch.Source.SCHEDULE,
            steer=schedule.steer,
            exploration=schedule.exploration,
            schedule=schedule,
            schedule_slot=slot,
        )
    except IntegrityError:
        # Two fires raced past the check above; the unique (schedule, slot) keeps one.
        logger.info("schedule %s slot %s was launched concurrently", schedule_id, slot)
        return None


def schedule_slot(schedule: BatchSchedule, now: datetime) -> datetime:
    """The latest time at or before `now` that the schedule's crontab fires at (UTC, minute)."""
    cron: Any = _crontab(schedule)  # its parsed sets (minute, hour, ...) are not in the stubs
    now = now.astimezone(UTC).replace(second=0, microsecond=0)
    for days_back in range(0, 367):
        day = now - timedelta(days=days_back)
        if day.month not in cron.month_of_year or day.day not in cron.day_of_month:
            continue
        if day.isoweekday() % 7 not in cron.day_of_week:  # crontab counts Sunday as 0
            continue
        latest_hour = now.hour if days_back == 0 else 23
        for hour in sorted((h for h in cron.hour if h <= latest_hour), reverse=True):
            latest_minute = now.minute if (days_back == 0 and hour == now.hour) else 59
            minutes = [m for m in cron.minute if m <= latest_minute]
            if minutes:
                return day.replace(hour=hour, minute=max(minutes))
    raise ApplicationError(f"The schedule '{schedule.crontab_text}' never fires.")


def _crontab(schedule: BatchSchedule) -> crontab:
    return crontab(
        minute=schedule.minute,
        hour=schedule.hour,
        day_of_week=schedule.day_of_week,
        day_of_month=schedule.day_of_month,
        month_of_year=schedule.month_of_year,
    )
