"""Coalescing: a first change goes out at once, a burst goes out once per window, the last state
always goes out, across processes (Redis) and, while Redis does not answer, in one process.

Windows here end when the test says so (ManualWindows), so no test waits on a clock or asserts
a duration: each waits for a flush or a state, with a generous timeout.
"""

import threading
import time
from collections.abc import Callable

import pytest
import redis

from curation.coalesce import Coalescer
from tests.waiting import wait_for

TIMEOUT_S = 10.0


class Recorder:
    """A flush that notes which items it got and the state it saw."""

    def __init__(self) -> None:
        self.state: dict[str, int] = {}
        self.flushes: list[tuple[list[str], dict[str, int]]] = []
        self.lock = threading.Lock()

    def __call__(self, items: list[str]) -> None:
        with self.lock:
            self.flushes.append((items, dict(self.state)))

    def items(self) -> list[list[str]]:
        return [sorted(items) for items, _ in self.flushes]

    def last_seen(self, item: str) -> int | None:
        seen = [state[item] for items, state in self.flushes if item in items]
        return seen[-1] if seen else None

    def wait_for_flushes(self, count: int) -> None:
        wait_for(lambda: len(self.flushes) >= count, f"{count} flush(es)")


class ManualWindows(Coalescer):
    """A coalescer whose windows end when end_window() is called rather than after window_s
    (the window's Redis key is held for the usual HOLD_MS meanwhile)."""

    def __init__(self, flush: Callable[[list[str]], None], prefix: str) -> None:
        super().__init__(flush, window_s=3600.0, prefix=prefix)
        self.window_ends: list[Callable[[], None]] = []

    def _enqueue(self, delay_s: float, action: Callable[[], None]) -> None:
        if delay_s == self.window_s:
            self.window_ends.append(action)
        else:
            super()._enqueue(delay_s, action)

    def end_window(self) -> None:
        super()._enqueue(0.0, self.window_ends.pop(0))

    def wait_pushed(self) -> None:
        """Until every touch so far has been handed to the shared state."""
        wait_for(lambda: not self._push_scheduled and not self._pending, "the push")
        assert self.wait_idle(TIMEOUT_S) or self.window_ends


@pytest.fixture(params=["redis", "redis_down"])
def mode(request, settings):
    """Across processes through Redis; or, while Redis does not answer, in this process alone."""
    if request.param == "redis":
        request.getfixturevalue("redis_url")
    else:
        settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    return request.param


def make(recorder: Recorder) -> ManualWindows:
    return ManualWindows(recorder, prefix=f"test:{time.time_ns()}")


def test_a_lone_change_is_flushed_at_once(mode):
    """At once: not at the end of the window, which here never ends by itself."""
    recorder = Recorder()
    make(recorder).touch(["1"])
    recorder.wait_for_flushes(1)
    assert recorder.items() == [["1"]]


def test_a_push_that_finds_nothing_pending_leaves_the_window_free(redis_url, caplog):
    """A second push (as after a fork) must not take the window, nor fall back to local-only
    coalescing on a Redis error."""
    recorder = Recorder()
    coalescer = make(recorder)
    coalescer._push()
    coalescer.touch(["1"])
    recorder.wait_for_flushes(1)
    assert recorder.items() == [["1"]]
    assert "Redis did not answer" not in caplog.text


def test_a_burst_on_many_items_is_flushed_once_per_window_and_ends_with_the_final_state(mode):
    recorder = Recorder()
    coalescer = make(recorder)
    recorder.state["0"] = 0
    coalescer.touch(["0"])
    recorder.wait_for_flushes(1)  # the leading flush opens the window
    for n in range(1, 301):  # then 300 changes to 10 items
        item = str(n % 10)
        recorder.state[item] = n
        coalescer.touch([item])
    coalescer.wait_pushed()
    # Every change made while the window is open waits for its end.
    assert len(recorder.flushes) == 1
    coalescer.end_window()
    recorder.wait_for_flushes(2)
    # Every item's last flush saw its final state.
    for item in map(str, range(10)):
        assert recorder.last_seen(item) == recorder.state[item]
    # The next window finds nothing changed: it is given up without a flush.
    coalescer.end_window()
    assert coalescer.wait_idle(TIMEOUT_S)
    assert len(recorder.flushes) == 2
    coalescer.touch(["3"])  # and the next change is flushed at once again
    recorder.wait_for_flushes(3)


def test_two_processes_share_one_window_through_redis(redis_url):
    prefix = f"test:{time.time_ns()}"
    recorder = Recorder()
    # Two coalescers stand for two web processes: the same Redis keys, separate threads.
    first = ManualWindows(recorder, prefix=prefix)
    second = ManualWindows(recorder, prefix=prefix)
    recorder.state["9"] = 0
    first.touch(["9"])
    recorder.wait_for_flushes(1)  # the first process takes the window
    for n in range(1, 101):
        recorder.state["9"] = n
        (first if n % 2 else second).touch(["9"])
    first.wait_pushed()
    second.wait_pushed()
    # The second process joined the first's window instead of flushing on its own.
    assert len(recorder.flushes) == 1
    assert first.window_ends and not second.window_ends
    first.end_window()
    recorder.wait_for_flushes(2)
    assert recorder.last_seen("9") == 100


def test_a_window_held_by_a_dead_process_expires(redis_url):
    prefix = f"test:{time.time_ns()}"
    client = redis.Redis.from_url(redis_url)
    client.set(f"{prefix}:held", "1", px=300)  # a window nobody will end
    recorder = Recorder()
    coalescer = ManualWindows(recorder, prefix=prefix)
    coalescer.touch(["1"])
    coalescer.wait_pushed()
    assert recorder.flushes == []  # joined the dead window's dirty set
    wait_for(lambda: not client.exists(f"{prefix}:held"), "the dead window to expire")
    coalescer.touch(["2"])  # the next change after the expiry starts a new window
    recorder.wait_for_flushes(1)
    assert recorder.items() == [["1", "2"]]
