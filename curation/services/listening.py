"""Listening events from the player: stored raw, and folded into listen time on the server.

Listen time is the sum of played intervals. An interval opens when playback starts (play,
replay, or progress while stopped) and closes at the next progress, pause, seek, skip or
complete. The player's clock bounds each interval (times 1.1, plus a quarter second), and the
server's clock bounds the total: a listener's credited time for a track never exceeds the
time since the server first saw them play it, across all their sessions.

Over all their tracks together, a listener is credited no faster than the server's clock
runs (Listener.credited_until, curation.rules.LISTEN_CATCH_UP_S): playing twenty tracks at once
for a minute is a minute of listening.

Plays, replays, skips and completes count at most once per listening window
(curation.rules.LISTEN_WINDOW): a flood of events from one identity weighs as one listen.

The batch whose credited listening brings a listener's total over all tracks to
curation.rules.PROVEN_LISTENING_S proves them, in its own transaction: from then on their
ratings and listening count in the figures, what they gave before included
(curation.services.ratings). Until then their listening is kept as theirs only.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from albumvote.exceptions import ApplicationError
from curation.models import Listener, ListenerTrack, ListeningEvent, VoterFlag
from curation.rules import (
    LISTEN_CATCH_UP_S,
    LISTEN_WINDOW,
    heard_enough,
    listen_required_s,
    proven,
)
from curation.services.figures import Heard, listening_add
from curation.services.ratings import listener_prove
from generation.models import Track

MAX_EVENTS_PER_BATCH = 200
# What the columns hold (ListeningEvent.seq is a 32-bit integer; client_ms a 64-bit one).
MAX_SEQ = 2**31 - 1
MAX_CLIENT_MS = 2**63 - 1
# Positions may run a little past the stored duration: players report the end slightly late.
POSITION_SLACK_S = 2.0
# Skips this early count as "skipped" in the figures producers read.
EARLY_SKIP_S = 30.0
EVENT_TYPES = set(ListeningEvent.Type.values)
# ListenerTrack.window_counted: the kinds already counted in the current listening window.
COUNTED = {"play": 1, "replay": 2, "skip": 4, "complete": 8}


@dataclass(frozen=True)
class ListeningResult:
    listened_s: float
    accepted: int
    required_s: float

    @property
    def can_rate(self) -> bool:
        return heard_enough(self.listened_s, self.required_s)


def events_record(
    *, listener_id: int, track_id: object, session: object, events: object
) -> ListeningResult:
    """Validate a batch of player events for one track and fold them into listen time."""
    duration = _track_duration(track_id)
    assert isinstance(track_id, int)  # checked by _track_duration
    if not isinstance(session, str) or not 1 <= len(session) <= 36 or not session.isprintable():
        raise _bad("session must be 1 to 36 printable characters.", "session")
    parsed = _parse_events(events, duration)
    try:
        listened, accepted = _record(listener_id, track_id, session, parsed, duration)
    except IntegrityError:
        # The state row was created by a concurrent batch; take its lock and go again.
        listened, accepted = _record(listener_id, track_id, session, parsed, duration)
    except OperationalError as error:
        # An account adopting this listener at the same moment locks the listener, then
        # the listening rows; nothing was written, so go again once it has.
        if not isinstance(error.__cause__, psycopg.errors.DeadlockDetected):
            raise
        listened, accepted = _record(listener_id, track_id, session, parsed, duration)
    return ListeningResult(
        listened_s=listened, accepted=accepted, required_s=listen_required_s(duration)
    )


def _record(
    listener_id: int,
    track_id: int,
    session: str,
    events: list[dict[str, Any]],
    duration: float | None,
) -> tuple[float, int]:
    with transaction.atomic():
        state = (
            ListenerTrack.objects.select_for_update()
            .filter(listener_id=listener_id, track_id=track_id)
            .first()
        )
        if state is None:
            state = ListenerTrack.objects.create(listener_id=listener_id, track_id=track_id)
        # Then the listener, in the order curation_rate takes them: it serialises their
        # batches over all tracks, for the listening clock and the proof.
        listener = (
            Listener.objects.select_for_update(no_key=True)
            .only("proven_at", "credited_until")
            .annotate(flagged=Exists(VoterFlag.objects.filter(listener=OuterRef("pk"))))
            .get(pk=listener_id)
        )
        was_proven = listener.proven_at is not None
        new_listener = state.last_seq == 0  # no batch of theirs counted for this track yet
        # A batch sent again (a retry after a lost response) is not counted twice.
        seen = set(
            ListeningEvent.objects.filter(
                listener_id=listener_id,
                track_id=track_id,
                session=session,
                seq__in=[e["seq"] for e in events],
            ).values_list("seq", flat=True)
        )
        fresh = [e for e in events if e["seq"] not in seen]
        if state.session != session:
            # Another page or playback: no interval stays open across sessions.
            state.session = session
            state.playing_from_s = state.playing_since_ms = None
        before = Heard.of(state)
        now = timezone.now()
        for event in fresh:
            _apply(state, event, now)
        state.listened_s = min(state.listened_s, server_heard_s(state, now))
        if fresh:
            _credit(listener, state, before.listened_s, now)
            state.last_seq = fresh[-1]["seq"]
            state.save()
            ListeningEvent.objects.bulk_create(
                [
                    ListeningEvent(
                        listener_id=listener_id, track_id=track_id, session=session, **event
                    )
                    for event in fresh
                ],
                ignore_conflicts=True,
            )
            if was_proven and not listener.flagged:
                listening_add(
                    track_id,
                    before=before,
                    after=Heard.of(state),
                    duration=duration,
                    new_listener=new_listener,
                    at=now,
                )
            elif state.listened_s > before.listened_s:
                # A proof adds all they heard until now, this batch included.
                listener_prove_if_heard(listener_id=listener_id, at=now)
        return round(state.listened_s, 2), len(fresh)


def _credit(listener: Listener, state: ListenerTrack, before_s: float, now: datetime) -> None:
    """Credit what this batch added to the track's listening (from `before_s`) no faster
    than the listener's clock over all tracks allows, and run that clock on."""
    if listener.credited_until is None:
        if state.heard_since is None:
            return
        listener.credited_until = now  # their clock starts with their first playback
    since = max(listener.credited_until, now - timedelta(seconds=LISTEN_CATCH_UP_S))
    gained = max(0.0, min(state.listened_s - before_s, (now - since).total_seconds()))
    state.listened_s = before_s + gained
    listener.credited_until = since + timedelta(seconds=gained)
    listener.save(update_fields=["credited_until"])


def listener_prove_if_heard(*, listener_id: int, at: datetime) -> bool:
    """Prove the listener (listener_prove) if their credited listening over all tracks, in
    this transaction, has reached curation.rules.PROVEN_LISTENING_S."""
    heard = ListenerTrack.objects.filter(listener_id=listener_id).aggregate(
        total=Sum("listened_s")
    )["total"]
    return proven(heard or 0.0) and listener_prove(listener_id=listener_id, at=at)


def server_heard_s(state: ListenerTrack, now: datetime) -> float:
    """How long, by the server's clock, since it first saw this listener play the track."""
    if state.heard_since is None:
        return 0.0
    return max(0.0, (now - state.heard_since).total_seconds())


def _apply(state: ListenerTrack, event: dict[str, Any], now: datetime) -> None:
    """Fold one event into the state. `now` is the server's time for the whole batch."""
    kind, position, client_now = event["type"], event["position_s"], event["client_ms"]
    state.max_position_s = max(state.max_position_s, position)
    if kind in ("play", "replay"):
        _close(state, position, client_now)
        _open(state, position, client_now)
        if state.window_started_at is None or now - state.window_started_at >= LISTEN_WINDOW:
            state.window_started_at, state.window_counted = now, 0
    elif kind == "progress":
        _close(state, position, client_now)
        _open(state, position, client_now)
    elif kind == "seek":
        playing = state.playing_from_s is not None
        _close(state, event["from_position_s"], client_now)
        if playing:
            _open(state, position, client_now)
    else:  # pause, skip, complete
        _close(state, position, client_now)
    if state.playing_from_s is not None and state.heard_since is None:
        state.heard_since = now  # playback began, by the server's clock
    if kind in COUNTED and state.window_started_at is not None and _count_once(state, kind):
        if kind == "play":
            state.plays += 1
        elif kind == "replay":
            state.replays += 1
        elif kind == "complete":
            state.completes += 1
        else:
            state.skips += 1
            if position < EARLY_SKIP_S:
                state.early_skips += 1


def _count_once(state: ListenerTrack, kind: str) -> bool:
    """True the first time this kind of event comes in the current window."""
    bit = COUNTED[kind]
    if state.window_counted & bit:
        return False
    state.window_counted |= bit
    return True


def _open(state: ListenerTrack, position: float, now: int) -> None:
    state.playing_from_s, state.playing_since_ms = position, now


def _close(state: ListenerTrack, position: float, now: int) -> None:
    if state.playing_from_s is None or state.playing_since_ms is None:
        return
    played = position - state.playing_from_s
    elapsed = (now - state.playing_since_ms) / 1000
    if played > 0 and elapsed > 0:
        state.listened_s += min(played, elapsed * 1.1 + 0.25)
    state.playing_from_s = state.playing_since_ms = None


def _track_duration(track_id: object) -> float:
    if isinstance(track_id, bool) or not isinstance(track_id, int):
        raise _bad("track must be a track id (a whole number).", "track")
    track = Track.objects.filter(pk=track_id, status=Track.Status.READY).only("duration_s").first()
    if track is None:
        raise ApplicationError(
            f"There is no published track {track_id}.",
            code="unknown_track",
            details={"field": "track", "track": track_id},
        )
    return float(track.duration_s or 0.0)


def _parse_events(raw: object, duration: float) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise _bad("events must be a non-empty list.", "events")
    if len(raw) > MAX_EVENTS_PER_BATCH:
        raise _bad(f"Send at most {MAX_EVENTS_PER_BATCH} events at a time.", "events")
    parsed: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        where = f"events[{index}]"
        if not isinstance(item, dict):
            raise _bad(f"{where} must be an object.", where)
        unknown = set(item) - {"type", "position", "from_position", "seq", "t"}
        if unknown:
            raise _bad(f"{where} has unknown field(s): {', '.join(sorted(unknown))}.", where)
        kind = item.get("type")
        if kind not in EVENT_TYPES:
            raise _bad(
                f"{where}.type {kind!r} is not one of: {', '.join(sorted(EVENT_TYPES))}.", where
            )
        seq, client_ms = item.get("seq"), item.get("t")
        if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
            raise _bad(f"{where}.seq must be a whole number from 1 to {MAX_SEQ}.", where)
        if parsed and seq <= parsed[-1]["seq"]:
            raise _bad(f"{where}.seq must be larger than the one before it.", where)
        if isinstance(client_ms, bool) or not isinstance(client_ms, int):
            raise _bad(f"{where}.t must be the player's clock in whole milliseconds.", where)
        if not 0 <= client_ms <= MAX_CLIENT_MS:
            raise _bad(f"{where}.t must be from 0 to {MAX_CLIENT_MS} milliseconds.", where)
        if parsed and client_ms < parsed[-1]["client_ms"]:
            raise _bad(f"{where}.t must not go back in time.", where)
        position = _position(item.get("position"), duration, f"{where}.position")
        from_position = None
        if kind == "seek":
            from_position = _position(item.get("from_position"), duration, f"{where}.from_position")
        parsed.append(
            {
                "type": kind,
                "seq": seq,
                "client_ms": client_ms,
                "position_s": position,
                "from_position_s": from_position,
            }
        )
    return parsed


def _position(value: object, duration: float, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(f"{field} must be a number of seconds.", field)
    if value < 0 or value > duration + POSITION_SLACK_S:
        raise _bad(f"{field} {value:g} is outside the track (0 to {duration:.1f} s).", field)
    return float(value)


def _bad(message: str, field: str) -> ApplicationError:
    return ApplicationError(message, details={"field": field})
