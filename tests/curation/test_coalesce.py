"""Coalescing: a first change goes out at once, a burst goes out a few times, the last state
always goes out, across processes (Redis) and without Redis."""

import itertools
import threading
import time

import pytest

from curation.coalesce import Coalescer


class Recorder:
    """A flush that notes when it ran, which items it got and the state it saw."""

    def __init__(self) -> None:
        self.state: dict[str, int] = {}
        self.flushes: list[tuple[float, list[str], dict[str, int]]] = []
        self.lock = threading.Lock()

    def __call__(self, items: list[str]) -> None:
        with self.lock:
            self.flushes.append((time.monotonic(), items, dict(self.state)))

    def last_seen(self, item: str) -> int | None:
        seen = [state[item] for _, items, state in self.flushes if item in items]
        return seen[-1] if seen else None

    def gaps(self) -> list[float]:
        return [b[0] - a[0] for a, b in itertools.pairwise(self.flushes)]


@pytest.fixture(params=["redis", "redis_down"])
def mode(request, settings):
    """Across processes through Redis; or, while Redis does not answer, in this process alone."""
    if request.param == "redis":
        request.getfixturevalue("redis_url")
    else:
        settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    return request.param


def make(recorder: Recorder) -> Coalescer:
    return Coalescer(recorder, window_s=0.25, prefix=f"test:{time.time_ns()}")


def test_a_lone_change_is_flushed_at_once(mode):
    recorder = Recorder()
    started = time.monotonic()
    make(recorder).touch(["1"])
    time.sleep(0.8)
    assert [items for _, items, _ in recorder.flushes] == [["1"]]
    assert recorder.flushes[0][0] - started < 0.1


def test_a_push_that_finds_nothing_pending_leaves_the_window_free(redis_url, caplog):
    """A second push (as after a fork) must not take the window, nor fall back to local-only
    coalescing on a Redis error."""
    recorder = Recorder()
    coalescer = make(recorder)
    coalescer._push()
    coalescer.touch(["1"])
    time.sleep(0.5)
    assert [items for _, items, _ in recorder.flushes] == [["1"]]
    assert "Redis did not answer" not in caplog.text


def test_a_burst_on_many_items_is_flushed_per_window_and_ends_with_the_final_state(mode):
    recorder = Recorder()
    coalescer = make(recorder)
    started = time.monotonic()
    for n in range(1, 301):  # 300 changes to 10 items over about 1.5 s
        item = str(n % 10)
        recorder.state[item] = n
        coalescer.touch([item])
        time.sleep(0.005)
    burst = time.monotonic() - started
    time.sleep(0.8)
    # At most one flush per window (plus the leading one), however many changes and items.
    assert 2 <= len(recorder.flushes) <= burst / 0.25 + 2
    assert min(recorder.gaps()) >= 0.2
    # Every item's last flush saw its final state.
    for item in map(str, range(10)):
        assert recorder.last_seen(item) == recorder.state[item]


def test_two_processes_share_one_window_through_redis(redis_url):
    prefix = f"test:{time.time_ns()}"
    recorder = Recorder()
    # Two coalescers stand for two web processes: the same Redis keys, separate threads.
    first = Coalescer(recorder, window_s=0.25, prefix=prefix)
    second = Coalescer(recorder, window_s=0.25, prefix=prefix)
    for n in range(1, 101):
        recorder.state["9"] = n
        (first if n % 2 else second).touch(["9"])
        time.sleep(0.005)
    time.sleep(0.8)
    assert len(recorder.flushes) <= 5
    assert min(recorder.gaps()) >= 0.2
    assert recorder.last_seen("9") == 100


def test_a_window_held_by_a_dead_process_expires(redis_url):
    prefix = f"test:{time.time_ns()}"
    import redis

    redis.Redis.from_url(redis_url).set(f"{prefix}:held", "1", px=300)  # nobody will end it
    recorder = Recorder()
    coalescer = Coalescer(recorder, window_s=0.25, prefix=prefix)
    coalescer.touch(["1"])
    time.sleep(0.5)
    assert recorder.flushes == []  # joined the dead window's dirty set
    coalescer.touch(["2"])  # the next change after the expiry starts a new window
    time.sleep(0.5)
    assert [sorted(items) for _, items, _ in recorder.flushes] == [["1", "2"]]
