"""The tracks table's filters, sorts, counts of refused attempts, query count and pages."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from curation.albums import services as album_services
from curation.models import RefusedAttempt
from curation.producer import views
from curation.services.refusals import refusal_count, refusals_flush
from tests.curation.producer.helpers import rate, table_ids
from tests.factories import ReadyTrackFactory

pytestmark = pytest.mark.django_db


def test_the_table_filters_by_status_pick_tag_batch_and_preset(producer_client: Client, world):
    other = ReadyTrackFactory.create(title="Other", preset="lofi")

    def get(query: str) -> list[int]:
        return table_ids(producer_client.get(f"/producer/tracks/?{query}").content.decode())

    everything = get("")
    assert set(everything) == {
        world["ready"].pk,
        world["failed"].pk,
        world["rejected"].pk,
        other.pk,
    }
    assert get("status=failed") == [world["failed"].pk]
    assert get("status=rejected") == [world["rejected"].pk]
    assert get("pick=shortlisted") == [world["ready"].pk]
    assert world["ready"].pk not in get("pick=none")
    assert get("tag=opener") == [world["ready"].pk]
    assert get("tag=closer") == []
    assert set(get(f"batch={world['ready'].batch_id}")) == {world["ready"].pk, world["failed"].pk}
    assert get("preset=lofi") == [other.pk]


def test_bad_filters_are_dropped_with_a_message_not_a_500(producer_client: Client, world):
    response = producer_client.get("/producer/tracks/?sort=nope&status=zzz&batch=abc")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown sort" in html and "Unknown status" in html and "Batch must be a number" in html
    assert len(table_ids(html)) == 3


def test_the_table_sorts_by_crowd_figures(producer_client: Client):
    low = ReadyTrackFactory.create(title="Low")
    high = ReadyTrackFactory.create(title="High")
    unrated = ReadyTrackFactory.create(title="Unrated")
    rate(low, 2, 1)
    rate(high, 5, 5, 4)
    assert table_ids(producer_client.get("/producer/tracks/?sort=mean").content.decode()) == [
        high.pk,
        low.pk,
        unrated.pk,
    ]
    assert table_ids(producer_client.get("/producer/tracks/?sort=ratings").content.decode())[
        :2
    ] == [high.pk, low.pk]
    html = producer_client.get("/producer/tracks/?sort=mean").content.decode()
    assert "4.67" in html  # high's mean


def test_refused_and_throttled_attempts_are_counted_per_track(producer_client: Client, world):
    ready = world["ready"]
    for _ in range(3):
        refusal_count(track_id=ready.pk, kind="rating", reason=RefusedAttempt.Reason.NOT_LISTENED)
    refusal_count(track_id=ready.pk, kind="events", reason=RefusedAttempt.Reason.THROTTLED_IP)
    refusals_flush()
    html = producer_client.get("/producer/tracks/").content.decode()
    assert f'<tr data-track-row="{ready.pk}"' in html
    assert 'data-refused="3" data-throttled="1"' in html
    page = producer_client.get(f"/producer/tracks/{ready.pk}/").content.decode()
    assert 'data-refusal="not_listened"' in page
    assert "Rated before listening long enough" in page


def test_the_table_query_count_does_not_grow_with_rows(producer_client: Client, world):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = producer_client.get("/producer/tracks/?sort=crowd")
        assert response.status_code == 200
        return len(queries)

    few = count_queries()
    producer = producer_client.producer  # type: ignore[attr-defined]
    for n in range(6):
        track = ReadyTrackFactory.create(title=f"More {n}")
        rate(track, 4)
        album_services.pick_update(track_id=track.pk, user=producer, tags=[f"t{n}"])
        refusal_count(track_id=track.pk, kind="rating", reason=RefusedAttempt.Reason.INVALID)
    refusals_flush()
    assert len(table_ids(producer_client.get("/producer/tracks/").content.decode())) == 9
    assert count_queries() == few


def test_the_table_is_paginated(producer_client: Client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    tracks = [ReadyTrackFactory.create() for _ in range(3)]
    first = producer_client.get("/producer/tracks/?sort=new").content.decode()
    second = producer_client.get("/producer/tracks/?sort=new&page=2").content.decode()
    assert len(table_ids(first)) == 2 and len(table_ids(second)) == 1
    assert set(table_ids(first) + table_ids(second)) == {t.pk for t in tracks}
    assert "Page 1 of 2" in first


def test_values_the_database_cannot_take_are_refused_before_any_query(
    producer_client: Client, world
):
    response = producer_client.get("/producer/tracks/?tag=a%00b&batch=99999999999999999999")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tag has a character that is not allowed" in html
    assert "Batch is out of range" in html
    assert len(table_ids(html)) == 3
