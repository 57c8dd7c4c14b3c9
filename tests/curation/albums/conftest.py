"""Fixtures the album tests share: a producer (signed in or not), jobs that are queued but
never sent, and track rendering kept in the test process."""

import pytest
from django.test import Client

from curation.albums import jobs
from generation import dispatch
from tests.factories import ProducerFactory


@pytest.fixture
def producer():
    return ProducerFactory.create()


@pytest.fixture
def producer_client(client: Client, producer):
    client.force_login(producer)
    client.producer = producer  # type: ignore[attr-defined]
    return client


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """Job ids handed to the queue (no broker consumes them in these tests)."""
    sent: list[int] = []
    monkeypatch.setattr(jobs, "enqueue", sent.append)
    return sent


@pytest.fixture
def rendering(model_settings, monkeypatch) -> None:
    """Tracks render in the test (generation.tasks.generate_track), not through a queue."""
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: None)
