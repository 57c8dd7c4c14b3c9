"""Coalescing: a first change goes out at once, a burst goes out a few times, the last state
always goes out, across processes (Redis) and without Redis."""

import itertools
import threading
import time

import pytest

from curation.coalesce import Coalescer


class Recorder:
    """A flush that notes when it ran and which state it saw."""

    def __init__(self) -> None:
        self.state = 0
        self.flushes: list[tuple[float, int]] = []
        self.lock = threading.Lock()

    def __call__(self) -> None:
        with self.lock:
            self.flushes.append((time.monotonic(), self.state))


@pytest.fixture(params=["redis", "local"])
def mode(request, settings):
    if request.param == "redis":
        request.getfixturevalue("redis_url")
    else:
        settings.REDIS_URL = ""
    return request.param


def wait_quiet(recorder: Recorder, seconds: float = 0.8) -> None:
    time.sleep(seconds)


def test_a_lone_change_is_flushed_at_once(mode):
    coalescer, recorder = Coalescer(window_s=0.25, prefix=f"t{time.time_ns()}"), Recorder()
    started = time.monotonic()
    coalescer.touch("track:1", recorder)
    wait_quiet(recorder)
    assert len(recorder.flushes) == 1
    assert recorder.flushes[0][0] - started < 0.1


def test_a_burst_is_coalesced_and_ends_with_the_final_state(mode):
    coalescer, recorder = Coalescer(window_s=0.25, prefix=f"t{time.time_ns()}"), Recorder()
    started = time.monotonic()
    for value in range(1, 201):  # 200 changes over about one second
        recorder.state = value
        coalescer.touch("track:1", recorder)
        time.sleep(0.005)
    burst = time.monotonic() - started
    wait_quiet(recorder)
    flushes = recorder.flushes
    # At most one flush per window (plus the leading one), however many changes.
    assert len(flushes) <= burst / 0.25 + 2
    assert len(flushes) >= 2
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(flushes)]
    assert min(gaps) >= 0.2
    assert flushes[-1][1] == 200


def test_names_are_coalesced_separately(mode):
    coalescer, recorder = Coalescer(window_s=0.25, prefix=f"t{time.time_ns()}"), Recorder()
    for name in ("track:1", "track:2", "top"):
        coalescer.touch(name, recorder)
    wait_quiet(recorder)
    assert len(recorder.flushes) == 3


def test_two_processes_share_one_window_through_redis(redis_url):
    prefix = f"t{time.time_ns()}"
    # Two coalescers stand for two web processes: same Redis keys, separate threads.
    first, second = Coalescer(window_s=0.25, prefix=prefix), Coalescer(window_s=0.25, prefix=prefix)
    recorder = Recorder()
    for value in range(1, 101):
        recorder.state = value
        (first if value % 2 else second).touch("track:9", recorder)
        time.sleep(0.005)
    wait_quiet(recorder)
    gaps = [b[0] - a[0] for a, b in zip(recorder.flushes, recorder.flushes[1:], strict=False)]
    assert len(recorder.flushes) <= 5
    assert min(gaps) >= 0.2
    assert recorder.flushes[-1][1] == 100
