"""Helpers for curation tests: listening enough to rate, through the real service, as an
established listener (one whose ratings count) unless asked otherwise."""

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from curation.models import Listener, ListenerTrack
from curation.services.listening import events_record
from curation.services.ratings import listener_prove
from generation.models import Track


def server_time_passes(listener_id: int, track_id: int | None, seconds: float) -> None:
    """As if `seconds` more had passed on the server's clock for this listener: since it
    first saw them play the track (every track of theirs when `track_id` is None), since
    their listening window opened, and on their listening clock over all tracks
    (Listener.credited_until). Credited listening is bounded by the server's clock, and
    tests do not wait for it."""
    earlier = timedelta(seconds=seconds)
    now = timezone.now()
    if track_id is not None:
        ListenerTrack.objects.get_or_create(listener_id=listener_id, track_id=track_id)
    states = ListenerTrack.objects.filter(listener_id=listener_id)
    if track_id is not None:
        states = states.filter(track_id=track_id)
    for state in states:
        state.heard_since = (state.heard_since or now) - earlier
        if state.window_started_at is not None:
            state.window_started_at -= earlier
        state.save(update_fields=["heard_since", "window_started_at"])
    listener = Listener.objects.get(pk=listener_id)
    listener.credited_until = (listener.credited_until or now) - earlier
    listener.save(update_fields=["credited_until"])


def established(listener_id: int) -> None:
    """As if this listener had long been listening here: their ratings count from now
    (curation.rules.PROVEN_LISTENING_S), through the real proof, which counts the ratings
    they gave before. Tests do not play five minutes of music for it."""
    listener_prove(listener_id=listener_id, at=timezone.now())


def listen(listener: Listener, track: Track, seconds: float, *, session: str = "s1") -> float:
    """Play `seconds` of the track from the start, as the player would report it: the play
    as it starts, the pause `seconds` later."""
    ms = int(seconds * 1000)
    play = {"type": "play", "position": 0.0, "seq": 1, "t": 1000}
    pause = {"type": "pause", "position": seconds, "seq": 2, "t": 1000 + ms}
    events_record(listener_id=listener.pk, track_id=track.pk, session=session, events=[play])
    server_time_passes(listener.pk, track.pk, seconds)
    return events_record(
        listener_id=listener.pk, track_id=track.pk, session=session, events=[pause]
    ).listened_s


def play_over_http(
    client: Client,
    track: Track,
    seconds: float,
    session: str = "page-1",
    *,
    new_listener: bool = False,
) -> Any:
    """Play as the page does, through the API: the play as it starts, the pause `seconds`
    later (by the player's clock and, without waiting for it, the server's). Returns the
    last response. The listener is an established one (whose ratings count) unless
    `new_listener`."""

    def send(event: dict[str, Any]) -> Any:
        body = {"track": track.pk, "session": session, "events": [event]}
        return client.post("/api/v1/listening-events/", body, content_type="application/json")

    started = send({"type": "play", "position": 0, "seq": 1, "t": 0})
    if started.status_code != 200:
        return started
    state = ListenerTrack.objects.filter(track=track, session=session).latest("updated_at")
    if not new_listener:
        established(state.listener_id)
    server_time_passes(state.listener_id, track.pk, seconds)
    return send({"type": "pause", "position": seconds, "seq": 2, "t": int(seconds * 1000)})


def csrf_browser() -> Client:
    """A browser with a CSRF cookie, sending the token header like the page's JS does."""
    client = Client(enforce_csrf_checks=True)
    token = "a" * 32  # the secret itself is a valid token for the header
    client.cookies["csrftoken"] = token
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client
