"""Refused and throttled attempts are counted cheaply and land in the database for producers."""

import pytest
from django.utils import timezone

from curation.models import RefusedAttempt
from curation.services.refusals import refusal_count
from curation.tasks import flush_refusals
from tests.factories import ReadyTrackFactory

pytestmark = pytest.mark.django_db


def test_counts_wait_in_redis_until_the_beat_task_moves_them(redis_url):
    track = ReadyTrackFactory.create()
    for _ in range(3):
        refusal_count(track_id=track.pk, kind="rating", reason="throttled_ip")
    refusal_count(track_id=None, kind="identity", reason="identity_burst")
    assert not RefusedAttempt.objects.exists()
    assert flush_refusals() == 4
    row = RefusedAttempt.objects.get(track=track)
    assert (row.kind, row.reason, row.count, row.day) == (
        "rating",
        "throttled_ip",
        3,
        timezone.localdate(),
    )
    assert RefusedAttempt.objects.get(track__isnull=True).count == 1
    # Flushing again adds nothing; new counts add to the same row.
    assert flush_refusals() == 0
    refusal_count(track_id=track.pk, kind="rating", reason="throttled_ip")
    flush_refusals()
    assert RefusedAttempt.objects.get(track=track).count == 4


def test_counts_for_a_deleted_track_are_dropped(redis_url):
    track = ReadyTrackFactory.create()
    refusal_count(track_id=track.pk, kind="rating", reason="not_listened")
    track.delete()
    assert flush_refusals() == 0
    assert not RefusedAttempt.objects.exists()


def test_without_redis_counts_go_straight_to_the_database(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    track = ReadyTrackFactory.create()
    refusal_count(track_id=track.pk, kind="events", reason="throttled_listener")
    refusal_count(track_id=track.pk, kind="events", reason="throttled_listener")
    assert RefusedAttempt.objects.get(track=track).count == 2
