"""Sign-up and log-in adopt the anonymous listener's history; log-out forgets the cookie."""

import pytest
from django.test import Client

from curation.identity import COOKIE_NAME
from curation.models import Listener, ListenerTrack, Rating, TrackStats
from curation.services import ratings
from curation.services.listeners import listener_adopt
from tests.curation.helpers import listen, play_over_http, server_time_passes
from tests.factories import ListenerFactory, ReadyTrackFactory, UserFactory

pytestmark = pytest.mark.django_db


def anonymous_browser_that_rated(track, stars: int) -> Client:
    client = Client()
    assert play_over_http(client, track, 30, session="s").status_code == 200
    rated = client.post(
        f"/api/v1/tracks/{track.pk}/rating/", {"stars": stars}, content_type="application/json"
    )
    assert rated.status_code == 201
    return client


def test_signing_up_keeps_the_anonymous_history(db):
    track = ReadyTrackFactory.create()
    client = anonymous_browser_that_rated(track, 4)
    anonymous = Listener.objects.get()
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newfan",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    anonymous.refresh_from_db()
    assert anonymous.user is not None and anonymous.user.username == "newfan"
    assert Listener.objects.count() == 1
    assert client.get(f"/api/v1/tracks/{track.pk}/rating/").json()["mine"]["stars"] == 4


def test_logging_in_merges_without_duplicates_and_the_latest_rating_wins(db):
    shared, only_anonymous, only_mine = ReadyTrackFactory.create_batch(3)
    user = UserFactory.create(username="fan")
    mine = ListenerFactory.create(user=user)
    for track in (shared, only_mine):
        listen(mine, track, 25)
        server_time_passes(mine.pk, track.pk, 3600)  # an hour before the anonymous listening
        ratings.rating_submit(listener_id=None, user_id=user.pk, track_id=track.pk, stars=2)
    client = anonymous_browser_that_rated(shared, 5)  # newer than the account's 2
    client.post(
        f"/api/v1/tracks/{only_anonymous.pk}/rating/", {"stars": 3}, content_type="application/json"
    )  # refused: not listened to
    anonymous = Listener.objects.exclude(pk=mine.pk).get()

    assert client.login(username="fan", password="pass-word-123")
    # Django's test login does not run the view; adopt the way the signal does.
    listener_adopt(user=user, listener_id=anonymous.pk)

    assert Rating.objects.filter(listener=mine).count() == 2
    assert Rating.objects.get(listener=mine, track=shared).stars == 5
    assert not Rating.objects.filter(listener=anonymous).exists()
    anonymous.refresh_from_db()
    assert anonymous.merged_into == mine
    state = ListenerTrack.objects.get(listener=mine, track=shared)
    assert state.listened_s == pytest.approx(55.0)
    stats = TrackStats.objects.get(track=shared)
    assert (stats.rating_count, stats.rating_sum, stats.unique_listeners) == (1, 5, 1)


def test_the_login_view_adopts_through_the_signal(db):
    track = ReadyTrackFactory.create()
    user = UserFactory.create(username="returning")
    ListenerFactory.create(user=user)
    client = anonymous_browser_that_rated(track, 4)
    response = client.post(
        "/accounts/login/", {"username": "returning", "password": "pass-word-123"}
    )
    assert response.status_code == 302
    assert Rating.objects.get().listener.user == user
    assert response.cookies[COOKIE_NAME].value  # reissued for the account's listener


def test_after_logout_the_browser_is_not_the_account_any_more(db):
    track = ReadyTrackFactory.create()
    user = UserFactory.create(username="leaver")
    client = Client()
    client.force_login(user)
    client.get("/")
    client.post("/accounts/logout/")
    assert client.cookies[COOKIE_NAME].value == ""
    # Anonymous again: a new listener, which cannot see or change the account's rating.
    anonymous_browser = client
    mine = anonymous_browser.get(f"/api/v1/tracks/{track.pk}/rating/").json()["mine"]
    assert mine["stars"] is None


def test_two_identities_playing_at_once_merge_to_no_more_than_the_servers_clock(db):
    """One person on two devices at the same time, then logging in: the merged listening is
    bounded by the server's clock since the earlier of the two began."""
    track = ReadyTrackFactory.create()
    user = UserFactory.create(username="fan")
    mine = ListenerFactory.create(user=user)
    listen(mine, track, 25)
    client = Client()
    play_over_http(client, track, 30, session="s")
    anonymous = Listener.objects.exclude(pk=mine.pk).get()
    listener_adopt(user=user, listener_id=anonymous.pk)
    state = ListenerTrack.objects.get(listener=mine, track=track)
    assert 30.0 <= state.listened_s < 55.0
