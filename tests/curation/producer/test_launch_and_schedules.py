"""Launching a batch from the dashboard and editing schedules, and what a bad input says."""

import pytest
from django.test import Client
from django_celery_beat.models import PeriodicTask

from generation.models import BatchSchedule, GenerationBatch
from tests.curation.producer.helpers import schedule_data

pytestmark = pytest.mark.django_db


def test_the_launch_form_launches_a_batch(
    producer_client: Client, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = producer_client.post(
            "/producer/batches/launch/",
            {"count": "3", "preset": "celtic_reel", "seed": "42", "temperature": "1.1"},
            follow=True,
        )
    batch = GenerationBatch.objects.get()
    assert (batch.count, batch.source, batch.launched_by) == (
        3,
        "dashboard",
        producer_client.producer,  # type: ignore[attr-defined]
    )
    assert batch.params["preset"] == "celtic_reel" and batch.params["seed"] == 42
    assert sorted(queued) == sorted(batch.tracks.values_list("pk", flat=True))
    assert f"Launched batch {batch.pk}" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"count": "0", "temperature": "1"}, "greater than or equal to 1"),
        ({"count": "100000", "temperature": "1"}, "count must be between 1"),
        ({"count": "2", "temperature": "1", "preset": "polka"}, "Select a valid choice"),
        ({"count": "two", "temperature": "1"}, "Enter a whole number"),
    ],
)
def test_bad_launch_input_shows_a_message_and_launches_nothing(
    producer_client: Client, queued, data, message
):
    response = producer_client.post("/producer/batches/launch/", data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not GenerationBatch.objects.exists()


def test_schedules_are_created_paused_resumed_and_edited(producer_client: Client):
    response = producer_client.post(
        "/producer/schedules/new/",
        schedule_data(name="Dawn", minute="30", hour="5"),
        follow=True,
    )
    assert "Created schedule &#x27;Dawn&#x27;." in response.content.decode()
    schedule = BatchSchedule.objects.get(name="Dawn")
    task = PeriodicTask.objects.get(pk=schedule.periodic_task_id)
    assert task.enabled and task.crontab.hour == "5" and task.crontab.minute == "30"

    producer_client.post(f"/producer/schedules/{schedule.pk}/enabled/", {"enabled": "0"})
    schedule.refresh_from_db()
    task.refresh_from_db()
    assert (schedule.enabled, task.enabled) == (False, False)
    html = producer_client.get("/producer/").content.decode()
    assert "Paused" in html and ">Resume</button>" in html
    producer_client.post(f"/producer/schedules/{schedule.pk}/enabled/", {"enabled": "1"})
    task.refresh_from_db()
    assert task.enabled

    edit = producer_client.get(f"/producer/schedules/{schedule.pk}/").content.decode()
    assert 'value="Dawn"' in edit
    edited = {"count": "6", "preset": "celtic_reel", "temperature": "1.2", "hour": "6"}
    producer_client.post(
        f"/producer/schedules/{schedule.pk}/",
        schedule_data(name="Dawn", day_of_week="1-5", **edited),
    )
    schedule.refresh_from_db()
    task.refresh_from_db()
    assert (schedule.count, schedule.preset, schedule.hour) == (6, "celtic_reel", "6")
    assert (task.crontab.hour, task.crontab.day_of_week) == ("6", "1-5")
    assert PeriodicTask.objects.count() == 1


def test_a_bad_schedule_is_refused_with_its_reason(producer_client: Client, world):
    response = producer_client.post(
        "/producer/schedules/new/",
        schedule_data(name="Broken", enabled="", minute="99", hour="5"),
    )
    assert response.status_code == 400
    assert "Bad crontab" in response.content.decode()
    duplicate = producer_client.post(
        "/producer/schedules/new/",
        schedule_data(enabled="", temperature="1", hour="1"),
    )
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.content.decode()
    assert BatchSchedule.objects.count() == 1
    missing = producer_client.post(
        "/producer/schedules/999999/enabled/", {"enabled": "0"}, follow=True
    )
    assert "No such schedule." in missing.content.decode()
    assert producer_client.get("/producer/schedules/999999/").status_code == 404
