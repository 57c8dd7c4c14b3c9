"""Scheduled batches: beat entries kept in step, and one batch per slot even if beat fires twice."""

import json
from datetime import UTC, datetime

import pytest
from django_celery_beat.models import PeriodicTask

from albumvote.exceptions import ApplicationError
from generation import dispatch, schedules
from generation.models import BatchSchedule, GenerationBatch
from generation.tasks import launch_scheduled_batch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_queue(monkeypatch):
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: None)


def nightly(**fields) -> BatchSchedule:
    defaults = {"name": "Nightly", "count": 3, "minute": "0", "hour": "3"}
    return schedules.schedule_save(schedule=BatchSchedule(**{**defaults, **fields}))


def test_saving_a_schedule_creates_its_beat_entry():
    schedule = nightly()
    task = PeriodicTask.objects.get(pk=schedule.periodic_task_id)
    assert task.task == "generation.launch_scheduled_batch"
    assert json.loads(task.kwargs) == {"schedule_id": schedule.pk}
    assert (task.crontab.minute, task.crontab.hour) == ("0", "3")
    assert task.enabled


def test_editing_and_pausing_a_schedule_updates_the_same_beat_entry():
    schedule = nightly()
    schedule.hour = "4"
    schedule.enabled = False
    schedules.schedule_save(schedule=schedule)
    assert PeriodicTask.objects.count() == 1
    task = PeriodicTask.objects.get()
    assert task.crontab.hour == "4"
    assert task.enabled is False


def test_deleting_a_schedule_removes_its_beat_entry():
    schedule = nightly()
    schedules.schedule_delete(schedule=schedule)
    assert not PeriodicTask.objects.exists()


def test_a_bad_crontab_or_preset_is_refused():
    with pytest.raises(ApplicationError, match="Bad crontab"):
        nightly(minute="61")
    with pytest.raises(ApplicationError, match="nope"):
        nightly(preset="nope")
    assert not BatchSchedule.objects.exists()


@pytest.mark.parametrize(
    ("cron", "now", "slot"),
    [
        (
            {"minute": "0", "hour": "3"},
            datetime(2026, 5, 2, 3, 0, 40, tzinfo=UTC),
            datetime(2026, 5, 2, 3, 0, tzinfo=UTC),
        ),
        (
            {"minute": "0", "hour": "3"},
            datetime(2026, 5, 2, 2, 59, tzinfo=UTC),
            datetime(2026, 5, 1, 3, 0, tzinfo=UTC),
        ),
        (
            {"minute": "*/15", "hour": "*"},
            datetime(2026, 5, 2, 10, 44, 59, tzinfo=UTC),
            datetime(2026, 5, 2, 10, 30, tzinfo=UTC),
        ),
        # Mondays only: 2026-05-02 is a Saturday, so the slot is Monday 27 April.
        (
            {"minute": "30", "hour": "22", "day_of_week": "1"},
            datetime(2026, 5, 2, 12, 0, tzinfo=UTC),
            datetime(2026, 4, 27, 22, 30, tzinfo=UTC),
        ),
    ],
)
def test_the_slot_is_the_latest_fire_time_at_or_before_now(cron, now, slot):
    assert schedules.schedule_slot(BatchSchedule(**cron), now) == slot


def test_beat_firing_twice_in_one_slot_launches_one_batch():
    schedule = nightly()
    first = schedules.schedule_run(
        schedule_id=schedule.pk, now=datetime(2026, 5, 2, 3, 0, 1, tzinfo=UTC)
    )
    again = schedules.schedule_run(
        schedule_id=schedule.pk, now=datetime(2026, 5, 2, 3, 0, 2, tzinfo=UTC)
    )
    assert first is not None and again is None
    next_night = schedules.schedule_run(
        schedule_id=schedule.pk, now=datetime(2026, 5, 3, 3, 0, 1, tzinfo=UTC)
    )
    assert next_night is not None
    batches = GenerationBatch.objects.filter(schedule=schedule)
    assert batches.count() == 2
    assert {b.source for b in batches} == {GenerationBatch.Source.SCHEDULE}
    assert first.tracks.count() == 3


def test_the_database_keeps_one_batch_per_schedule_slot():
    from django.db import IntegrityError, transaction

    schedule = nightly()
    slot = datetime(2026, 5, 2, 3, 0, tzinfo=UTC)
    GenerationBatch.objects.create(
        source="schedule", schedule=schedule, schedule_slot=slot, count=1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        GenerationBatch.objects.create(
            source="schedule", schedule=schedule, schedule_slot=slot, count=1
        )


def test_the_task_runs_the_schedule_and_a_paused_one_does_nothing():
    schedule = nightly(minute="*", hour="*")
    launch_scheduled_batch(schedule_id=schedule.pk)
    assert GenerationBatch.objects.filter(schedule=schedule).count() == 1
    schedule.enabled = False
    schedules.schedule_save(schedule=schedule)
    # A later slot, which would launch if the schedule were not paused.
    later = datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
    assert schedules.schedule_run(schedule_id=schedule.pk, now=later) is None
    launch_scheduled_batch(schedule_id=999_999)
    assert GenerationBatch.objects.count() == 1
