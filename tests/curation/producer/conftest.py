"""Fixtures for the producer page tests: a signed-in producer, the queue, a small world."""

import pytest
from django.test import Client

from curation.albums import services as album_services
from generation import schedules
from generation.models import BatchSchedule, Track
from tests.curation.albums.conftest import enqueued  # noqa: F401  (job ids handed to the queue)
from tests.curation.producer.helpers import REJECTED_TITLE, SECRET_ERROR, SECRET_NOTE
from tests.factories import ProducerFactory, ReadyTrackFactory, TrackFactory
from tests.generation.conftest import queued  # noqa: F401  (track ids handed to the queue)


@pytest.fixture
def producer_client(client: Client) -> Client:
    producer = ProducerFactory.create(username="curator")
    client.force_login(producer)
    client.producer = producer  # type: ignore[attr-defined]
    return client


@pytest.fixture
def world():
    """A ready track with a private note, a failed and a rejected track, a schedule."""
    producer = ProducerFactory.create()
    ready = ReadyTrackFactory.create(title="Heron Reel")
    album_services.pick_update(
        track_id=ready.pk, user=producer, shortlisted=True, notes=SECRET_NOTE, tags=["opener"]
    )
    failed = TrackFactory.create(
        title="Broken Jig", status=Track.Status.FAILED, error=SECRET_ERROR, batch=ready.batch
    )
    rejected = TrackFactory.create(
        title=REJECTED_TITLE,
        status=Track.Status.REJECTED,
        rejection_reasons=["pitch_range 40.000 is above the corpus bound 30.000"],
    )
    schedule = schedules.schedule_save(schedule=BatchSchedule(name="Nightly", count=5))
    return {"ready": ready, "failed": failed, "rejected": rejected, "schedule": schedule}
