"""Fixtures for generation tests."""

import pytest

from generation import dispatch


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Track ids handed to the queue, instead of a broker that nobody consumes in these tests."""
    sent: list[int] = []
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: sent.extend(ids))
    return sent
