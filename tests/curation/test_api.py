"""The listener API as a browser uses it: cookie identity, CSRF, JSON errors, rate limits."""

import pytest
from django.test import Client

from curation.identity import COOKIE_NAME
from curation.models import Listener, Rating, RefusedAttempt
from curation.services.refusals import refusals_flush
from tests.curation.helpers import csrf_browser, play_over_http
from tests.factories import ReadyTrackFactory

pytestmark = pytest.mark.django_db

# Fixed windows start on multiples of their length: a long one keeps a test from straddling two.
WINDOW = 10**7


@pytest.fixture
def browser() -> Client:
    return csrf_browser()


@pytest.fixture
def track():
    return ReadyTrackFactory.create(duration_s=100.0)


def post(client: Client, url: str, body: object):
    return client.post(url, body, content_type="application/json")


play = play_over_http


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_first_feedback_creates_an_anonymous_listener_with_a_signed_httponly_cookie(browser, track):
    response = play(browser, track, 5)
    assert response.status_code == 200
    assert response.json() == {
        "accepted": 1,  # the pause (the play came in the batch before)
        "listened_s": 5.0,
        "required_s": 20.0,
        "can_rate": False,
    }
    cookie = browser.cookies[COOKIE_NAME]  # set by the first batch, kept by the browser
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert ":" in cookie.value  # signed
    assert Listener.objects.count() == 1
    # The same browser stays the same listener.
    play(browser, track, 5, session="page-2")
    assert Listener.objects.count() == 1


def test_a_forged_cookie_is_not_trusted(track):
    client = Client()
    client.cookies[COOKIE_NAME] = "1"
    play(client, track, 5)
    forged = Listener.objects.create()
    client.cookies[COOKIE_NAME] = str(forged.pk)
    play(client, track, 5, session="x")
    # A new identity was made each time instead of writing as someone else.
    assert Listener.objects.count() == 3
    assert not forged.track_states.exists()


def test_listen_then_rate_change_and_withdraw(browser, track):
    url = f"/api/v1/tracks/{track.pk}/rating/"
    early = post(browser, url, {"stars": 4})
    assert early.status_code == 403
    error = error_of(early)
    assert error["code"] == "listen_first"
    assert "Listen a little longer" in error["message"]
    play(browser, track, 21)
    created = post(browser, url, {"stars": 4})
    assert created.status_code == 201
    assert created.json()["rating"] == {
        "count": 1,
        "average": 4.0,
        "version": 1,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0},
    }
    changed = browser.put(url, {"stars": 2}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["rating"]["average"] == 2.0
    mine = browser.get(url).json()["mine"]
    assert mine == {
        "stars": 2,
        "counted": True,
        "listened_s": 21.0,
        "required_s": 20.0,
        "can_rate": True,
    }
    withdrawn = browser.delete(url)
    assert withdrawn.status_code == 200 and withdrawn.json()["rating"]["count"] == 0
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        # Stars themselves: tests/curation/test_rating_paths.py, on both paths.
        ({}, 400, "invalid"),
        ([4], 400, "invalid"),
    ],
)
def test_bad_ratings_get_a_400_in_the_error_shape(browser, track, body, status, code):
    play(browser, track, 30)
    response = post(browser, f"/api/v1/tracks/{track.pk}/rating/", body)
    assert response.status_code == status
    assert error_of(response)["code"] == code


def test_unknown_tracks_and_bad_json_are_clear_4xx_errors(browser, track):
    assert post(browser, "/api/v1/tracks/999999/rating/", {"stars": 3}).status_code == 400
    assert error_of(browser.get("/api/v1/tracks/999999/rating/"))["code"] == "not_found"
    broken = browser.post("/api/v1/listening-events/", "{oops", content_type="application/json")
    assert broken.status_code == 400 and error_of(broken)["code"] == "parse_error"
    bad = post(
        browser,
        "/api/v1/listening-events/",
        {"track": track.pk, "session": "s", "events": [{"type": "dance"}]},
    )
    assert bad.status_code == 400
    assert "is not one of" in error_of(bad)["message"]


def test_writes_without_the_csrf_token_are_refused(track):
    client = Client(enforce_csrf_checks=True)
    response = play(client, track, 5)
    assert response.status_code == 403
    assert "CSRF" in error_of(response)["message"]


def test_events_are_rate_limited_per_ip(track, settings, redis_url):
    # Two batches per play (the play as it starts, the pause): two plays fit in four.
    settings.CURATION_RATE_LIMITS = {**settings.CURATION_RATE_LIMITS, "events_per_ip": (4, WINDOW)}
    clients = [Client(REMOTE_ADDR="10.0.0.7") for _ in range(3)]
    codes = [play(c, track, 1).status_code for c in clients]
    assert codes == [200, 200, 429]


def test_one_ip_cannot_mint_listeners_in_a_burst(track, settings, redis_url):
    settings.CURATION_NEW_LISTENERS_PER_IP = 3
    settings.CURATION_NEW_LISTENERS_WINDOW_S = WINDOW
    codes = [play(Client(REMOTE_ADDR="10.9.9.9"), track, 1).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert Listener.objects.count() == 3
    # Another address is not affected.
    assert play(Client(REMOTE_ADDR="10.9.9.10"), track, 1).status_code == 200
    refusals_flush()
    assert RefusedAttempt.objects.get(reason="identity_burst").count == 2


def test_the_live_state_endpoint(browser, track):
    play(browser, track, 30)
    post(browser, f"/api/v1/tracks/{track.pk}/rating/", {"stars": 5})
    state = browser.get(f"/api/v1/live/?topics=track:{track.pk},top,new").json()
    assert state["tracks"][str(track.pk)]["count"] == 1
    assert [t["id"] for t in state["top"]] == [track.pk]
    assert [t["id"] for t in state["new"]] == [track.pk]
    bad = browser.get("/api/v1/live/?topics=weather")
    assert bad.status_code == 400 and "Unknown topic" in error_of(bad)["message"]


def test_live_state_query_count_does_not_grow_with_topics_or_tracks(
    browser, track, django_assert_max_num_queries
):
    """One query per kind of topic (the site mean cached), however many tracks are asked for
    or listed."""
    more = ReadyTrackFactory.create_batch(12)
    topics = ",".join(["top", "new", *(f"track:{t.pk}" for t in [track, *more])])
    browser.get("/api/v1/live/?topics=top")  # warm per-process caches (site mean)
    with django_assert_max_num_queries(3) as few:
        response = browser.get(f"/api/v1/live/?topics={topics}")
    assert response.status_code == 200
    assert len(response.json()["tracks"]) == 13
    ReadyTrackFactory.create_batch(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert browser.get(f"/api/v1/live/?topics={topics}").status_code == 200
