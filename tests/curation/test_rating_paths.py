"""A rating over HTTP and over the page's open socket (issue 13): the same listen gate, identity
rules, limits, refusal counters and error codes, the same figures after it. Every test but the
socket's own runs on both paths."""

import pytest
from django.test import Client

from curation.identity import COOKIE_NAME
from curation.models import Listener, Rating, RefusedAttempt, TrackStats
from curation.services.refusals import refusals_flush
from tests.curation.helpers import csrf_browser
from tests.curation.helpers import play_over_http as play
from tests.curation.raters import PATHS, rate, send_frames
from tests.factories import ReadyTrackFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_url")]

# Fixed windows start on multiples of their length: a long one keeps a test from straddling two.
WINDOW = 10**7
paths = pytest.mark.parametrize("path", PATHS)


@pytest.fixture
def browser() -> Client:
    return csrf_browser()


@pytest.fixture
def track():
    return ReadyTrackFactory.create(duration_s=100.0)


@paths
def test_rating_before_listening_is_refused_with_the_reason_and_counted(path, browser, track):
    play(browser, track, 5)
    early = rate(path, browser, track.pk, 4)
    assert early.code == "listen_first" and "Listen a little longer" in early.body["message"]
    assert early.body["details"] == {"listened_s": 5.0, "required_s": 20.0}
    assert not Rating.objects.exists()
    refusals_flush()
    assert RefusedAttempt.objects.get(track=track, reason="not_listened").count == 1


@paths
def test_listen_then_rate_and_change(path, browser, track):
    play(browser, track, 21)
    created = rate(path, browser, track.pk, 4)
    assert created.ok and created.body["stars"] == 4 and created.body["counted"] is True
    assert created.body["rating"] == {
        "count": 1,
        "average": 4.0,
        "version": 1,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0},
    }
    # Answered once committed: it is there for anyone to read.
    assert Rating.objects.get().stars == 4
    changed = rate(path, browser, track.pk, 2)
    assert changed.ok and changed.body["rating"]["average"] == 2.0
    assert changed.body["rating"]["count"] == 1 and Rating.objects.count() == 1


@paths
@pytest.mark.parametrize("stars", [9, 0, "five", None, 4.5, True])
def test_bad_stars_are_refused_in_the_one_error_shape(path, browser, track, stars):
    play(browser, track, 30)
    answer = rate(path, browser, track.pk, stars)
    assert answer.code == "invalid" and answer.body["details"] == {"field": "stars"}
    assert set(answer.body) == {"code", "message", "details"}


@paths
def test_unknown_or_unpublished_tracks_are_refused(path, browser, track):
    play(browser, track, 30)
    assert rate(path, browser, 999999, 3).code == "unknown_track"
    hidden = ReadyTrackFactory.create(status="rejected")
    assert rate(path, browser, hidden.pk, 3).code == "unknown_track"


@paths
def test_ratings_are_rate_limited_per_listener_and_counted(path, browser, track, settings):
    settings.CURATION_RATE_LIMITS = {
        **settings.CURATION_RATE_LIMITS,
        "rating_per_listener": (3, WINDOW),
    }
    play(browser, track, 30)
    answers = [rate(path, browser, track.pk, 1 + n % 5) for n in range(5)]
    assert [a.code for a in answers] == [None, None, None, "throttled", "throttled"]
    assert 0 < answers[-1].body["details"]["retry_after_s"] <= WINDOW
    if answers[-1].headers is not None:  # HTTP
        assert answers[-1].headers["Retry-After"] == str(
            answers[-1].body["details"]["retry_after_s"]
        )
    refusals_flush()
    assert RefusedAttempt.objects.get(track=track, reason="throttled_listener").count == 2


@paths
def test_ratings_are_rate_limited_per_address(path, track, settings):
    settings.CURATION_RATE_LIMITS = {**settings.CURATION_RATE_LIMITS, "rating_per_ip": (2, WINDOW)}
    people = [Client() for _ in range(3)]
    for person in people:
        play(person, track, 30)
    assert [rate(path, p, track.pk, 5).code for p in people] == [None, None, "throttled"]
    refusals_flush()
    assert RefusedAttempt.objects.get(track=track, reason="throttled_ip").count == 1


@paths
def test_a_new_listeners_rating_is_kept_but_not_counted(path, browser, track):
    play(browser, track, 30, new_listener=True)
    answer = rate(path, browser, track.pk, 5)
    assert answer.ok and answer.body["counted"] is False
    assert answer.body["rating"]["count"] == 0 and Rating.objects.get().stars == 5


@paths
def test_a_signed_in_listener_rates_as_their_account(path, track):
    user = UserFactory.create()
    client = Client()
    client.force_login(user)
    play(client, track, 30)
    assert rate(path, client, track.pk, 3).ok
    assert Rating.objects.get().listener == Listener.objects.get(user=user)


def test_the_paths_answer_alike_and_a_resent_rating_is_not_doubled(browser, track):
    """What the page does when the socket drops before the answer: it sends the rating again
    over HTTP. The rating is the listener's, so it is one row and one vote however often it
    comes."""
    play(browser, track, 30)
    over_socket = rate("socket", browser, track.pk, 4)
    again = rate("http", browser, track.pk, 4)
    assert over_socket.ok and again.ok and not again.created
    assert over_socket.body == again.body
    assert Rating.objects.count() == 1
    assert TrackStats.objects.get(track=track).rating_count == 1


def test_a_socket_opened_before_the_listener_existed_says_so(track):
    """The identity is settled when the socket connects: before the first listening there is
    none, and the page rates over HTTP (then reconnects)."""
    stranger = Client()
    answer = rate("socket", stranger, track.pk, 4)
    assert answer.code == "no_listener" and not Rating.objects.exists()
    stranger.cookies[COOKIE_NAME] = str(Listener.objects.create().pk)  # not signed: forged
    assert rate("socket", stranger, track.pk, 4).code == "no_listener"


def test_each_answer_carries_its_ref_and_a_bad_frame_gets_an_error_frame(browser, track):
    play(browser, track, 30)
    answers = send_frames(
        browser,
        [
            {"type": "rate", "track": track.pk, "stars": 5, "ref": "r-1"},
            {"type": "rate", "track": track.pk, "stars": 3, "ref": "x" * 65},
            {"type": "rate", "track": "one", "stars": 3, "ref": "r-3"},
            {"type": "rate", "track": track.pk, "stars": 2, "ref": "r-4"},
        ],
    )
    assert [(a["type"], a["ref"]) for a in answers] == [
        ("rated", "r-1"),
        ("error", None),
        ("error", "r-3"),
        ("rated", "r-4"),
    ]
    assert answers[1]["details"] == {"field": "ref"} and answers[2]["details"] == {"field": "track"}
    assert Rating.objects.get().stars == 2  # in the order sent
