"""Admin: launching a batch from the add form and actions, metrics on the track page."""

import pytest
from django_celery_beat.models import PeriodicTask

from generation import composer
from generation.models import BatchSchedule, GenerationBatch, Track
from tests.curation.producer.helpers import schedule_data
from tests.factories import TrackFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("queued")]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory.create(username="boss", is_staff=True, is_superuser=True))
    return client


def test_the_add_form_launches_a_batch(admin_client, queued):
    preset = sorted(composer.PRESETS)[0]
    response = admin_client.post(
        "/admin/generation/generationbatch/add/",
        {"count": 3, "preset": preset, "seed": 12, "temperature": 0.9},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = GenerationBatch.objects.get()
    assert batch.source == GenerationBatch.Source.ADMIN
    assert batch.params["seed"] == 12
    assert batch.tracks.count() == 3
    assert len(queued) == 3


def test_the_add_form_shows_bad_parameters(admin_client):
    response = admin_client.post(
        "/admin/generation/generationbatch/add/",
        {"count": 500, "temperature": 1.0},
    )
    assert response.status_code == 200
    assert "count must be between 1 and 100" in response.content.decode()
    assert GenerationBatch.objects.count() == 0


def test_launch_again_action(admin_client, queued):
    batch = GenerationBatch.objects.create(source="command", count=2, params={"seed": 3})
    response = admin_client.post(
        "/admin/generation/generationbatch/",
        {"action": "launch_again", "_selected_action": [batch.pk]},
    )
    assert response.status_code == 302
    assert GenerationBatch.objects.count() == 2
    assert len(queued) == 2


def test_the_track_page_shows_quality_metrics(admin_client):
    track = TrackFactory.create(
        status=Track.Status.REJECTED,
        metrics={"pitch_entropy": 1.234, "scale_consistency": 0.5},
        rejection_reasons=["scale consistency 0.50 is below 0.80"],
    )
    page = admin_client.get(f"/admin/generation/track/{track.pk}/change/").content.decode()
    assert "pitch_entropy" in page and "1.234" in page
    assert "scale consistency 0.50 is below 0.80" in page
    listing = admin_client.get("/admin/generation/track/").content.decode()
    assert "rejected" in listing


def test_retry_action_requeues_failed_tracks(admin_client, queued):
    failed = TrackFactory.create(status=Track.Status.FAILED, error="boom")
    response = admin_client.post(
        "/admin/generation/track/", {"action": "retry", "_selected_action": [failed.pk]}
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Track.Status.QUEUED
    assert queued == [failed.pk]


def test_schedules_are_edited_in_admin_and_run_now(admin_client, queued):
    response = admin_client.post(
        "/admin/generation/batchschedule/add/",
        schedule_data(),
    )
    assert response.status_code == 302
    schedule = BatchSchedule.objects.get()
    assert PeriodicTask.objects.get().pk == schedule.periodic_task_id
    bad = admin_client.post(
        f"/admin/generation/batchschedule/{schedule.pk}/change/",
        schedule_data(minute="75"),
    )
    assert bad.status_code == 200
    assert "Bad crontab" in bad.content.decode()
    admin_client.post(
        "/admin/generation/batchschedule/",
        {"action": "run_now", "_selected_action": [schedule.pk]},
    )
    assert GenerationBatch.objects.get().count == 4
    assert len(queued) == 4
