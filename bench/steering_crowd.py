"""The simulated crowd of bench/steering.py: listeners who hear each new batch as their taste
leads them (skipping what they dislike, hearing more of what they like) and rate with noise,
through the services the site's API calls (curation.services.listening.events_record and
curation.services.ratings.rating_submit), on a simulated server clock.

The server's clock. Listening is credited no faster than the server's clock runs, and a new
identity's ratings count only after five minutes of it (curation.rules.PROVEN_LISTENING_S).
A crowd hearing 15 batches would take days of real time, so the bench runs the clock the
services read (django.utils.timezone.now) itself: each listener's play and pause reach the
services at the simulated moments they happen, in order, and the services apply every rule
to those moments unchanged. New listeners prove themselves by listening, as anywhere.

One part of the server keeps the real clock: the vote function (curation_rate, in
PostgreSQL) stamps ratings with clock_timestamp(). The simulated clock runs days behind the
real one, so the two never cross, and the ratings' anomaly test, which beat runs every minute
over the ratings of the last 10 minutes, is run here every simulated minute over the ratings
stamped since the real moment at which the simulated clock read 10 minutes earlier. Ratings
a listener gave before their proof are stamped by the proof with the simulated clock (in the
real clock's past), so the test never sees those again: a few of a shill's first ratings
escape it, which errs in the shills' favour.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import itertools
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from unittest import mock

from django.utils import timezone

from albumvote.exceptions import ApplicationError
from curation.models import Listener, VoterFlag
from curation.rules import listen_required_s
from curation.services.flags import RECENT, ratings_flag_anomalous
from curation.services.listening import events_record
from curation.services.ratings import rating_submit
from curation.steering.models import PreferenceModel
from curation.steering.services import preference_fit

# A listener hears this many of each 20-track batch, starting within ROUND_SPREAD of its
# release; a round lasts until the last one is done.
HEARD_PER_ROUND = 8
ROUND_SPREAD = timedelta(minutes=45)
# How a listener's own taste strays from the crowd's: a leaning (for all tracks) and a
# per-track opinion; then the noise of turning an opinion into stars.
BIAS_SD = 0.4
OPINION_SD = 0.6
STARS_SD = 0.5
RATE_SHARE = 0.75  # of the tracks heard long enough, the share a listener rates


class Clock:
    """The server's clock as the services read it: simulated, set by the bench, days behind
    the real one. Remembers when (really) it read what, for the anomaly test's window."""

    def __init__(self, behind: timedelta) -> None:
        self.now = timezone.localtime() - behind
        self.sim: list[datetime] = []
        self.real: list[datetime] = []

    def set(self, moment: datetime) -> None:
        self.now = max(self.now, moment)
        self.sim.append(self.now)
        self.real.append(datetime.now(self.now.tzinfo))

    def real_at(self, moment: datetime) -> datetime:
        """The real time at which the simulated clock first read `moment` or later."""
        n = bisect.bisect_left(self.sim, moment)
        return self.real[min(n, len(self.real) - 1)] if self.real else self.now

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        with mock.patch("django.utils.timezone.now", lambda: self.now):
            yield


@dataclass
class Person:
    listener_id: int
    bias: float
    rng: random.Random
    shill_for: str | None = None  # the preset a shill pushes


@dataclass
class Heard:
    """A published track as the crowd meets it."""

    id: int
    duration: float
    true: float  # the crowd's true stars for it
    preset: str


@dataclass(frozen=True)
class Step:
    """One report of a listener's player, or its rating after it."""

    listener_id: int
    track: Heard
    session: str
    kind: str  # play, then skip, pause or complete
    position: float  # seconds into the track
    stars: int | None  # given after it (None: none)


@dataclass
class Tally:
    listens: int = 0
    skips: int = 0
    ratings: int = 0
    counted: int = 0
    refused: int = 0
    flag_runs: int = 0
    run_s: float = 0.0
    by_round: list[dict] = field(default_factory=list)


def crowd(honest: int, shills: int, shill_for: str | None, seed: int) -> list[Person]:
    """New identities (as the site makes one for a new browser), each with a taste of its
    own. Honest ones draw from `seed` alone, so two crowds with the same seed behave alike."""
    people = []
    for n in range(honest + shills):
        rng = random.Random(seed * 100_003 + n)
        listener = Listener.objects.create()
        shill = shill_for if n >= honest else None
        people.append(Person(listener.pk, rng.gauss(0, BIAS_SD), rng, shill))
    return people


def fit(clock: Clock) -> PreferenceModel | None:
    """The model fitted on demand at launch, as the launch form's refit does."""
    with clock.serving():
        return preference_fit()


def hear_round(
    clock: Clock, people: list[Person], tracks: list[Heard], round_no: int, tally: Tally
) -> None:
    """Every listener hears part of the batch, from a moment within ROUND_SPREAD of its
    release; their plays, pauses and ratings reach the services in time order, and the
    anomaly test runs every simulated minute, as beat runs it."""
    began = time.monotonic()
    start = clock.now
    queue: list[tuple[datetime, int, Step]] = []
    order = itertools.count()
    for person in people:
        at = start + timedelta(seconds=person.rng.uniform(0, ROUND_SPREAD.total_seconds()))
        for track in _choose(person, tracks):
            listened, end, stars = _listen(person, track)
            session = f"r{round_no}-{track.id}"
            play = Step(person.listener_id, track, session, "play", 0.0, None)
            heapq.heappush(queue, (at, next(order), play))
            at += timedelta(seconds=listened)
            step = Step(person.listener_id, track, session, end, listened, stars)
            heapq.heappush(queue, (at, next(order), step))
            at += timedelta(seconds=person.rng.uniform(2, 8))
    last_rating: datetime | None = None
    next_beat = start + timedelta(minutes=1)
    with clock.serving():
        while queue:
            at, _, step = heapq.heappop(queue)
            while next_beat <= at:
                if last_rating is not None and last_rating >= next_beat - RECENT:
                    _flag_beat(clock, next_beat, tally)
                next_beat += timedelta(minutes=1)
            clock.set(at)
            _event(step)
            if step.kind == "play":
                continue
            tally.listens += 1
            tally.skips += step.kind == "skip"
            if step.stars is not None:
                tally.ratings += 1
                try:
                    result = rating_submit(
                        listener_id=step.listener_id, track_id=step.track.id, stars=step.stars
                    )
                except ApplicationError:
                    tally.refused += 1  # heard too little for the gate
                else:
                    tally.counted += result.counted
                last_rating = at
        if last_rating is not None:  # the runs that still see the round's last ratings
            while next_beat <= last_rating + RECENT:
                _flag_beat(clock, next_beat, tally)
                next_beat += timedelta(minutes=1)
    tally.run_s += time.monotonic() - began


def _choose(person: Person, tracks: list[Heard]) -> list[Heard]:
    chosen = person.rng.sample(tracks, min(HEARD_PER_ROUND, len(tracks)))
    if person.shill_for is None:
        return chosen
    # A shill hears every track of the style it pushes, then others to make up its share.
    pushed = [t for t in tracks if t.preset == person.shill_for]
    rest = [t for t in chosen if t.preset != person.shill_for]
    return (pushed + rest)[: max(HEARD_PER_ROUND, len(pushed))]


def _listen(person: Person, track: Heard) -> tuple[float, str, int | None]:
    """How long they listen, how it ends (skip, pause or complete), and the stars they give
    (None: not rated)."""
    rng = person.rng
    if person.shill_for is not None:
        if track.preset == person.shill_for:
            return track.duration, "complete", 5
        return min(track.duration, rng.uniform(21, 26)), "pause", 1  # just past the gate
    opinion = track.true + person.bias + rng.gauss(0, OPINION_SD)
    if rng.random() < 1 / (1 + math.exp(2 * (opinion - 2.2))):
        return rng.uniform(4, 15), "skip", None
    share = min(1.0, max(0.15, 0.3 + 0.25 * (opinion - 2.5) + rng.gauss(0, 0.1)))
    listened = share * track.duration
    # The page offers stars once the listen gate is passed.
    rates = listened >= listen_required_s(track.duration) and rng.random() < RATE_SHARE
    stars = max(1, min(5, round(opinion + rng.gauss(0, STARS_SD)))) if rates else None
    return listened, ("complete" if share >= 1.0 else "pause"), stars


def _event(step: Step) -> None:
    """The player's report: the play as it starts, the skip, pause or complete as it ends."""
    ms = int(step.position * 1000)
    seq = 1 if step.kind == "play" else 2
    event = {"type": step.kind, "position": round(step.position, 3), "seq": seq, "t": ms}
    events_record(
        listener_id=step.listener_id, track_id=step.track.id, session=step.session, events=[event]
    )


def _flag_beat(clock: Clock, at: datetime, tally: Tally) -> None:
    """beat's curation.flag_raters at simulated time `at`: the ratings of the last RECENT,
    by the real stamps curation_rate gave them."""
    clock.set(at)
    since = clock.real_at(at - RECENT)
    ratings_flag_anomalous(recent=clock.now - since)
    tally.flag_runs += 1


def flagged(people: list[Person]) -> tuple[int, int]:
    """How many honest listeners and how many shills are flagged."""
    ids = set(VoterFlag.objects.values_list("listener_id", flat=True))
    honest = sum(p.listener_id in ids for p in people if p.shill_for is None)
    shills = sum(p.listener_id in ids for p in people if p.shill_for is not None)
    return honest, shills


def proven(people: list[Person]) -> int:
    ids = [p.listener_id for p in people]
    return Listener.objects.filter(pk__in=ids, proven_at__isnull=False).count()
