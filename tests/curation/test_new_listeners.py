"""New identities weigh nothing until they have shown real listening (issue 11, 1.4).

A listener's ratings count in the figures (stars, crowd score, trending) once the server has
credited them curation.rules.PROVEN_LISTENING_S of listening over all tracks; before that they
are stored and shown as theirs, and at that moment they all count, once.
"""

import math
import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

from curation.models import Listener, Rating, TrackStats
from curation.rules import PROVEN_LISTENING_S
from curation.services import ratings
from curation.services.aggregates import stats_reconcile
from curation.services.listeners import listener_adopt
from curation.services.listening import events_record
from curation.services.ratings import listener_prove
from tests.curation.helpers import listen, play_over_http, server_time_passes
from tests.factories import ListenerFactory, ReadyTrackFactory, UserFactory

pytestmark = pytest.mark.django_db


def new_listener() -> Listener:
    return ListenerFactory.create(proven_at=None)


def figures(track) -> TrackStats:
    return TrackStats.objects.get_or_create(track=track)[0]


def listen_enough(listener: Listener) -> None:
    """PROVEN_LISTENING_S of credited listening over three long tracks (a fourth batch would
    be over the threshold: the third one crosses it)."""
    share = PROVEN_LISTENING_S / 3
    for _ in range(3):
        listen(listener, ReadyTrackFactory.create(duration_s=share + 10), share)


def test_a_new_listeners_rating_is_stored_as_theirs_but_not_counted():
    track = ReadyTrackFactory.create(duration_s=120.0)
    listener = new_listener()
    listen(listener, track, 25)
    before = figures(track)
    result = ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=5)
    assert result.created and result.stars == 5 and result.counted is False
    assert Rating.objects.get(listener=listener, track=track).stars == 5
    after = figures(track)
    assert (after.rating_count, after.stars_5, after.version) == (0, 0, before.version)
    assert after.crowd_score == before.crowd_score
    assert after.trend_log == before.trend_log
    assert stats_reconcile(repair=False) == []

    established = ListenerFactory.create()
    listen(established, track, 25)
    counted = ratings.rating_submit(listener_id=established.pk, track_id=track.pk, stars=4)
    assert counted.counted is True and counted.stats.rating_count == 1


def test_crossing_the_threshold_counts_the_stored_ratings_once_as_if_given_then():
    track = ReadyTrackFactory.create(duration_s=120.0)
    listener = new_listener()
    listen(listener, track, 25)
    ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=5)
    trend_before = figures(track).trend_log

    listen_enough(listener)
    listener.refresh_from_db()
    assert listener.proven_at is not None
    stats = figures(track)
    assert (stats.rating_count, stats.rating_sum, stats.stars_5) == (1, 5, 1)
    assert stats.trend_log > trend_before
    rating = Rating.objects.get(listener=listener, track=track)
    assert rating.updated_at == listener.proven_at  # trending weighs it from then

    # Once: more listening, and a second proof, change nothing.
    listen(listener, ReadyTrackFactory.create(duration_s=60.0), 30)
    assert listener_prove(listener_id=listener.pk, at=timezone.now()) is False
    again = figures(track)
    assert (again.rating_count, again.trend_log) == (1, stats.trend_log)
    assert stats_reconcile(repair=False) == []

    # From now on the listener's ratings count as they are given.
    other = ReadyTrackFactory.create(duration_s=120.0)
    listen(listener, other, 25)
    result = ratings.rating_submit(listener_id=listener.pk, track_id=other.pk, stars=2)
    assert result.counted is True and result.stats.rating_count == 1


def test_changes_and_withdrawals_before_the_proof_never_touch_the_figures():
    kept, withdrawn, heard = (ReadyTrackFactory.create(duration_s=120.0) for _ in range(3))
    listener = new_listener()
    for track in (kept, withdrawn, heard):
        listen(listener, track, 25)
    ratings.rating_submit(listener_id=listener.pk, track_id=kept.pk, stars=5)
    ratings.rating_submit(listener_id=listener.pk, track_id=kept.pk, stars=2)  # changed
    ratings.rating_submit(listener_id=listener.pk, track_id=withdrawn.pk, stars=1)
    ratings.rating_withdraw(listener_id=listener.pk, track_id=withdrawn.pk)
    assert figures(kept).rating_count == 0 and figures(withdrawn).rating_count == 0

    listen_enough(listener)
    stats = figures(kept)
    assert (stats.rating_count, stats.rating_sum, stats.stars_2, stats.stars_5) == (1, 2, 1, 0)
    assert figures(withdrawn).rating_count == 0
    # The withdrawn track trends as one only heard: by its play alone.
    plays_trend = figures(heard).trend_log
    assert figures(withdrawn).trend_log == plays_trend
    assert stats_reconcile(repair=False) == []

    # Withdrawn after the proof: the figures take back exactly what the proof gave.
    ratings.rating_withdraw(listener_id=listener.pk, track_id=kept.pk)
    after = figures(kept)
    assert (after.rating_count, after.rating_sum, after.stars_2) == (0, 0, 0)
    assert math.isclose(after.trend_log, plays_trend, rel_tol=1e-9)
    assert stats_reconcile(repair=False) == []


def test_an_account_adopting_a_new_browser_merges_their_standing():
    track, theirs = (ReadyTrackFactory.create(duration_s=120.0) for _ in range(2))
    user = UserFactory.create()
    account = ListenerFactory.create(user=user)  # established
    browser = new_listener()
    listen(browser, track, 25)
    ratings.rating_submit(listener_id=browser.pk, track_id=track.pk, stars=4)
    assert figures(track).rating_count == 0
    assert listener_adopt(user=user, listener_id=browser.pk) == account
    assert figures(track).rating_count == 1  # the account's standing covers it

    # A new account adopting an established browser: the account's own stored rating counts.
    newcomer = UserFactory.create()
    fresh = ListenerFactory.create(user=newcomer, proven_at=None)
    listen(fresh, theirs, 25)
    ratings.rating_submit(listener_id=None, user_id=newcomer.pk, track_id=theirs.pk, stars=3)
    assert figures(theirs).rating_count == 0
    listener_adopt(user=newcomer, listener_id=ListenerFactory.create().pk)
    fresh.refresh_from_db()
    assert fresh.proven_at is not None and figures(theirs).rating_count == 1
    assert stats_reconcile(repair=False) == []


def top(client: Client) -> list[int]:
    response = client.get("/api/v1/rankings/", {"sort": "top"})
    return [entry["track"]["id"] for entry in response.json()["results"]]


def test_twenty_five_accounts_and_fourteen_browsers_with_faked_listens_move_nothing(settings):
    """The attack of issue 11, 1.4: 25 new accounts and 14 new anonymous identities, each
    faking the shortest listen that unlocks rating, give one track 5 stars."""
    settings.CURATION_NEW_LISTENERS_PER_IP = 100  # as if from many addresses
    crowd = [ReadyTrackFactory.create(duration_s=100.0) for _ in range(6)]
    for rank, track in enumerate(crowd):
        for stars in (5, 4, 4 - rank % 3, 3 if rank > 2 else 5):
            listener = ListenerFactory.create()
            listen(listener, track, 60)
            ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=stars)
    target = crowd[-1]
    public = Client()
    order = top(public)
    assert order.index(target.pk) > 0

    sybils: list[Client] = []
    for n in range(39):
        client = Client(REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}")
        if n < 25:
            client.force_login(UserFactory.create())
        assert play_over_http(client, target, 20.0, new_listener=True).status_code == 200
        sybils.append(client)
    heard = figures(target)  # their listening counts as one listen each (issue 11, 1.2)

    url = f"/api/v1/tracks/{target.pk}/rating/"
    for client in sybils:
        rated = client.post(url, {"stars": 5}, content_type="application/json")
        assert rated.status_code == 201 and rated.json()["counted"] is False
    assert Rating.objects.filter(track=target).count() == 4 + 39  # stored, as theirs
    after = figures(target)
    assert (after.rating_count, after.stars_5) == (heard.rating_count, heard.stars_5)
    assert after.crowd_score == heard.crowd_score
    assert after.trend_log == heard.trend_log
    assert top(public).index(target.pk) >= order.index(target.pk)


def test_the_listener_is_told_and_the_rule_is_published(client: Client):
    track = ReadyTrackFactory.create(duration_s=30.0)
    play_over_http(client, track, 10.0, new_listener=True)
    url = f"/api/v1/tracks/{track.pk}/rating/"
    rated = client.post(url, {"stars": 4}, content_type="application/json")
    assert rated.status_code == 201
    assert rated.json()["counted"] is False and rated.json()["rating"]["count"] == 0
    assert client.get(url).json()["mine"]["counted"] is False
    minutes = f"{PROVEN_LISTENING_S / 60:g}"
    page = client.get(f"/tracks/{track.pk}/").content.decode()
    assert (
        "You rated this track 4 stars. It is saved, and counts in the crowd's figures once you "
        f"have listened to {minutes} minutes of music here in all." in page
    )

    rules = client.get("/how-ranking-works/").content.decode()
    assert f"ratings count once they have listened for {minutes} minutes in all." in rules
    assert "New listeners" in rules
    withdrawn = client.delete(url)
    assert withdrawn.json()["counted"] is False and withdrawn.json()["stars"] is None


def race(*actions: Callable[[], object]) -> list[BaseException]:
    """Run the actions in threads, released together; the errors they raised."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_votes_racing_the_proof_each_count_once(postgres_required, round_):
    """The batch that proves a listener, and their votes at the same moment: each rating ends
    up in the figures once (by the proof or by the vote), a withdrawal takes out only what was
    in, and nothing deadlocks."""
    listener = new_listener()
    rated = [ReadyTrackFactory.create(duration_s=120.0) for _ in range(4)]
    for track in rated:
        listen(listener, track, 25)  # 100 s credited
    ratings.rating_submit(listener_id=listener.pk, track_id=rated[0].pk, stars=5)
    ratings.rating_submit(listener_id=listener.pk, track_id=rated[3].pk, stars=1)
    long = ReadyTrackFactory.create(duration_s=250.0)
    play = {"type": "play", "position": 0.0, "seq": 1, "t": 1000}
    events_record(listener_id=listener.pk, track_id=long.pk, session="s", events=[play])
    server_time_passes(listener.pk, long.pk, 210)  # the pause brings the total to 310 s
    pause = {"type": "pause", "position": 210.0, "seq": 2, "t": 211_000}

    pk = listener.pk
    errors = race(
        lambda: events_record(listener_id=pk, track_id=long.pk, session="s", events=[pause]),
        lambda: ratings.rating_submit(listener_id=pk, track_id=rated[0].pk, stars=2),
        lambda: ratings.rating_submit(listener_id=pk, track_id=rated[1].pk, stars=4),
        lambda: ratings.rating_submit(listener_id=pk, track_id=rated[2].pk, stars=3),
        lambda: ratings.rating_withdraw(listener_id=pk, track_id=rated[3].pk),
    )
    assert errors == []
    listener.refresh_from_db()
    assert listener.proven_at is not None
    counts = [(figures(t).rating_count, figures(t).rating_sum) for t in rated]
    assert counts == [(1, 2), (1, 4), (1, 3), (0, 0)]
    assert stats_reconcile(repair=False) == []


def test_a_new_listeners_plays_and_listening_wait_for_the_proof():
    """Seen (bench/stuffing.py): 20 new identities from one address, each with the shortest
    listen the server accepts, moved a track 9 places in trending: their ratings were held,
    but their plays counted at once. Their plays and listening wait for the proof too."""
    track = ReadyTrackFactory.create(duration_s=120.0)
    before = figures(track)
    listener = new_listener()
    listen(listener, track, 25)
    held = figures(track)
    assert (held.plays, held.unique_listeners, held.listen_seconds, held.skips) == (0, 0, 0, 0)
    assert (held.trend_log, held.listen_through_sum) == (before.trend_log, 0)
    assert stats_reconcile(repair=False) == []

    listen_enough(listener)
    proven = figures(track)
    assert (proven.plays, proven.unique_listeners) == (1, 1)
    assert proven.listen_seconds == pytest.approx(25.0)
    assert proven.listen_through_sum == pytest.approx(25.0 / 120.0)
    assert proven.trend_log > before.trend_log
    assert stats_reconcile(repair=False) == []

    # From then on, their listening counts as it comes.
    listen(listener, track, 10, session="s2")
    assert figures(track).listen_seconds == pytest.approx(35.0)
    assert figures(track).unique_listeners == 1
    assert stats_reconcile(repair=False) == []
