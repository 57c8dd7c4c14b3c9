"""The producer pages through Django's test client: who may see them, the tracks table's
filters, sorts and query count, picks, retry, launch and schedules."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from curation.albums import services as album_services
from curation.models import RefusedAttempt, TrackPick
from curation.services import ratings
from curation.services.refusals import refusal_count, refusals_flush
from generation import dispatch, schedules
from generation.models import BatchSchedule, GenerationBatch, Track
from tests.curation.helpers import listen
from tests.factories import (
    GenerationBatchFactory,
    ListenerFactory,
    ProducerFactory,
    ReadyTrackFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET_NOTE = "secret-note-xyzzy"
SECRET_ERROR = "Renderer exploded: secret-error-plugh"
REJECTED_TITLE = "Rejected Ramble"


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def table_ids(html: str) -> list[int]:
    """Track ids of the tracks table's rows, in page order."""
    if 'class="producer-table tracks-table"' not in html:
        return []
    start = html.index('class="producer-table tracks-table"')
    return [int(n) for n in re.findall(r'<tr data-track-row="(\d+)"', html[start:])]


def rate(track: Track, *stars: int) -> None:
    for value in stars:
        listener = ListenerFactory.create()
        listen(listener, track, 30)
        ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=value)


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Track ids handed to the queue (no broker runs in these tests)."""
    sent: list[int] = []
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: sent.extend(ids))
    return sent


@pytest.fixture
def producer_client(client: Client) -> Client:
    producer = ProducerFactory.create()
    client.force_login(producer)
    client.producer = producer  # type: ignore[attr-defined]
    return client


@pytest.fixture
def world():
    """A ready track with a private note, a failed and a rejected track, a schedule."""
    producer = ProducerFactory.create(username="curator")
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


def producer_urls(world) -> list[tuple[str, str]]:
    ready, schedule = world["ready"], world["schedule"]
    return [
        ("get", "/producer/"),
        ("get", "/producer/tracks/"),
        ("get", "/producer/tracks/?status=failed"),
        ("get", f"/producer/tracks/{ready.pk}/"),
        ("get", f"/producer/tracks/{world['failed'].pk}/"),
        ("get", f"/producer/tracks/{world['rejected'].pk}/"),
        ("get", "/producer/schedules/new/"),
        ("get", f"/producer/schedules/{schedule.pk}/"),
        ("post", "/producer/batches/launch/"),
        ("post", f"/producer/tracks/{ready.pk}/picks/"),
        ("post", f"/producer/tracks/{world['failed'].pk}/retry/"),
        ("post", f"/producer/schedules/{schedule.pk}/enabled/"),
    ]


# --- who may see what ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_and_come_back(client: Client, world):
    for method, url in producer_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
        assert "/producer/" in response["Location"], url


def test_listeners_get_403_and_none_of_the_producer_data(client: Client, world, queued):
    client.force_login(UserFactory.create())
    for method, url in producer_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
        html = response.content.decode()
        for secret in (SECRET_NOTE, "secret-error-plugh", REJECTED_TITLE, "Broken Jig"):
            assert secret not in html, (url, secret)
    # Nothing was changed by their POSTs.
    assert Track.objects.get(pk=world["failed"].pk).status == Track.Status.FAILED
    assert BatchSchedule.objects.get().enabled is True
    assert TrackPick.objects.get().notes == SECRET_NOTE
    assert queued == []
    # And the nav has no producer link for them.
    assert 'href="/producer/"' not in client.get("/").content.decode()


def test_producers_see_every_page_and_the_nav_link(producer_client: Client, world):
    for method, url in producer_urls(world):
        if method == "get":
            response = producer_client.get(url)
            assert response.status_code == 200, url
    home = producer_client.get("/").content.decode()
    assert '<a href="/producer/">Producer</a>' in home


def test_the_dashboard_shows_batches_with_progress_schedules_and_links(
    producer_client: Client, world
):
    html = producer_client.get("/producer/").content.decode()
    batch = world["ready"].batch
    assert f'data-batch-id="{batch.pk}"' in html
    # The ready and the failed track of that batch are done: 2 of 2.
    block = html[html.index(f'data-batch-id="{batch.pk}"') :]
    assert re.search(r'<progress[^>]*max="2" value="2"', block)
    assert SECRET_ERROR in html
    assert f'action="/producer/tracks/{world["failed"].pk}/retry/"' in html
    assert "Nightly" in html and "0 3 * * *" in html
    assert 'href="/producer/tracks/"' in html
    assert 'href="/producer/albums/"' in html
    assert 'name="count"' in html  # the launch form


def test_the_track_page_shows_failures_rejections_picks_charts_and_remix(
    producer_client: Client, world
):
    failed = producer_client.get(f"/producer/tracks/{world['failed'].pk}/").content.decode()
    assert SECRET_ERROR in failed
    assert '<svg class="chart"' not in failed  # nothing to plot: empty states instead
    assert "Nobody has listened yet" in failed and "No ratings yet." in failed
    assert "Retry this track" in failed
    rejected = producer_client.get(f"/producer/tracks/{world['rejected'].pk}/").content.decode()
    assert "above the corpus bound" in rejected
    ready = world["ready"]
    rate(ready, 5, 4)
    html = producer_client.get(f"/producer/tracks/{ready.pk}/").content.decode()
    assert SECRET_NOTE in html
    assert 'value="opener"' in html
    assert re.search(r'value="shortlisted"[^>]*checked', html)
    # Rated (through listening) but not in the arena: three charts and the arena's empty state.
    assert html.count('<svg class="chart"') == 3
    assert "No arena votes in this batch yet" in html
    assert "2 ratings" in html  # the distribution chart's description
    assert "data-remix" in html  # the remix partial
    assert "data-play-item" in html  # listen inline


# --- the tracks table -----------------------------------------------------------------------


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
    from curation.producer import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    tracks = [ReadyTrackFactory.create() for _ in range(3)]
    first = producer_client.get("/producer/tracks/?sort=new").content.decode()
    second = producer_client.get("/producer/tracks/?sort=new&page=2").content.decode()
    assert len(table_ids(first)) == 2 and len(table_ids(second)) == 1
    assert set(table_ids(first) + table_ids(second)) == {t.pk for t in tracks}
    assert "Page 1 of 2" in first


# --- writes ----------------------------------------------------------------------------------


def test_the_picks_form_saves_and_redirects_with_a_message(producer_client: Client, world):
    rejected = world["rejected"]
    response = producer_client.post(
        f"/producer/tracks/{rejected.pk}/picks/",
        {"state": "vetoed", "notes": "  too busy  ", "tags": "Busy, loud ,busy"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/producer/tracks/{rejected.pk}/", 302)]
    assert "Picks saved." in response.content.decode()
    pick = TrackPick.objects.get(track=rejected)
    assert (pick.vetoed, pick.shortlisted, pick.notes, pick.tags) == (
        True,
        False,
        "too busy",
        ["busy", "loud"],
    )
    assert pick.updated_by == producer_client.producer  # type: ignore[attr-defined]


def test_bad_picks_input_shows_a_message_and_changes_nothing(producer_client: Client, world):
    ready = world["ready"]
    response = producer_client.post(
        f"/producer/tracks/{ready.pk}/picks/",
        {"state": "none", "notes": "changed", "tags": "ok, no<way>"},
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "is not allowed" in html
    assert 'role="alert"' in html
    assert TrackPick.objects.get(track=ready).notes == SECRET_NOTE
    response = producer_client.post(
        f"/producer/tracks/{ready.pk}/picks/", {"state": "maybe"}, follow=True
    )
    assert "Select a valid choice" in response.content.decode()
    assert (
        producer_client.post("/producer/tracks/999999/picks/", {"state": "none"}).status_code == 404
    )


def test_the_retry_button_requeues_a_failed_track(
    producer_client: Client, world, queued, django_capture_on_commit_callbacks
):
    failed = world["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = producer_client.post(
            f"/producer/tracks/{failed.pk}/retry/", {"next": "/producer/"}
        )
    assert response.status_code == 302 and response["Location"] == "/producer/"
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == (Track.Status.QUEUED, "", 0)
    assert queued == [failed.pk]
    # A track that is not failed is left alone, with a message saying so.
    response = producer_client.post(f"/producer/tracks/{world['ready'].pk}/retry/", follow=True)
    assert "nothing to retry" in response.content.decode()
    assert Track.objects.get(pk=world["ready"].pk).status == Track.Status.READY
    # An outside address in `next` is not followed.
    response = producer_client.post(
        f"/producer/tracks/{failed.pk}/retry/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/producer/tracks/{failed.pk}/"


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
        {
            "name": "Dawn",
            "enabled": "on",
            "count": "4",
            "preset": "",
            "temperature": "1.0",
            "minute": "30",
            "hour": "5",
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
        },
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
    producer_client.post(
        f"/producer/schedules/{schedule.pk}/",
        {
            "name": "Dawn",
            "enabled": "on",
            "count": "6",
            "preset": "celtic_reel",
            "temperature": "1.2",
            "minute": "0",
            "hour": "6",
            "day_of_week": "1-5",
            "day_of_month": "*",
            "month_of_year": "*",
        },
    )
    schedule.refresh_from_db()
    task.refresh_from_db()
    assert (schedule.count, schedule.preset, schedule.hour) == (6, "celtic_reel", "6")
    assert (task.crontab.hour, task.crontab.day_of_week) == ("6", "1-5")
    assert PeriodicTask.objects.count() == 1


def test_a_bad_schedule_is_refused_with_its_reason(producer_client: Client, world):
    response = producer_client.post(
        "/producer/schedules/new/",
        {
            "name": "Broken",
            "count": "4",
            "temperature": "1.0",
            "minute": "99",
            "hour": "5",
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
        },
    )
    assert response.status_code == 400
    assert "Bad crontab" in response.content.decode()
    duplicate = producer_client.post(
        "/producer/schedules/new/",
        {
            "name": "Nightly",
            "count": "4",
            "temperature": "1",
            "minute": "0",
            "hour": "1",
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
        },
    )
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.content.decode()
    assert BatchSchedule.objects.count() == 1
    missing = producer_client.post(
        "/producer/schedules/999999/enabled/", {"enabled": "0"}, follow=True
    )
    assert "No such schedule." in missing.content.decode()
    assert producer_client.get("/producer/schedules/999999/").status_code == 404


def test_producer_is_recognised_by_permission_too(client: Client, world):
    from django.contrib.auth.models import Permission

    user = UserFactory.create()
    user.user_permissions.add(Permission.objects.get(codename="add_generationbatch"))
    client.force_login(user)
    assert client.get("/producer/").status_code == 200


def test_an_unknown_track_is_a_404(producer_client: Client):
    GenerationBatchFactory.create()
    assert producer_client.get("/producer/tracks/999999/").status_code == 404
