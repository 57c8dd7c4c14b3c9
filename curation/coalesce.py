"""Coalescing: at most one flush per name per window, always ending with a flush after the
last change.

The first change in a quiet period is flushed at once (leading edge); changes during the
window only mark the name dirty, and when the window ends one more flush carries them
(trailing edge), then a new window starts. Across processes the window is a Redis key taken
with SET NX; two small Lua scripts make "take the window or mark dirty" and "flush again or
give the window up" atomic, so a change can never fall between a window's last check and
its end. Flushes run on one background thread per process, off the request path.

If the process holding a window dies, its key expires after HOLD_MS and the next change
starts a new window.
"""

import functools
import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable

import redis
from django.db import connection

from albumvote.redis_client import get_redis

logger = logging.getLogger(__name__)

HOLD_MS = 3000

_TAKE_OR_MARK = """
local taken = {}
for i = 1, #KEYS, 2 do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[1]) then
    taken[#taken + 1] = 1
  else
    redis.call('SET', KEYS[i + 1], '1', 'PX', ARGV[1])
    taken[#taken + 1] = 0
  end
end
return taken
"""
_AGAIN_OR_RELEASE = """
if redis.call('DEL', KEYS[2]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 1
end
redis.call('DEL', KEYS[1])
return 0
"""

Flush = Callable[[], None]


class Coalescer:
    def __init__(self, window_s: float = 0.25, prefix: str = "coalesce") -> None:
        self.window_s = window_s
        self.prefix = prefix
        self._local_held: set[str] = set()
        self._local_dirty: set[str] = set()
        self._lock = threading.Lock()
        self._queue: list[tuple[float, int, Flush]] = []
        self._order = itertools.count()
        self._wakeup = threading.Condition(self._lock)
        self._pid: int | None = None
        self._idle = True

    # --- the two steps ---------------------------------------------------------------------

    def touch(self, name: str, flush: Flush) -> None:
        """Record a change; flush now if no window is open for `name`."""
        self.touch_many([(name, flush)])

    def touch_many(self, changes: list[tuple[str, Flush]]) -> None:
        """touch() for several names in one Redis round trip."""
        for (name, flush), taken in zip(
            changes, self._take_or_mark([name for name, _ in changes]), strict=True
        ):
            if taken:
                self._enqueue(0.0, functools.partial(self._flush_and_wait, name, flush))

    def _flush_and_wait(self, name: str, flush: Flush) -> None:
        self._run(flush)
        self._enqueue(self.window_s, lambda: self._window_ended(name, flush))

    def _window_ended(self, name: str, flush: Flush) -> None:
        if self._again_or_release(name):
            self._flush_and_wait(name, flush)

    # --- shared state: Redis, or this process alone ----------------------------------------

    def _take_or_mark(self, names: list[str]) -> list[bool]:
        client = get_redis()
        if client is not None:
            keys = [
                key
                for n in names
                for key in (f"{self.prefix}:{n}:held", f"{self.prefix}:{n}:dirty")
            ]
            try:
                return [bool(t) for t in client.eval(_TAKE_OR_MARK, len(keys), *keys, HOLD_MS)]
            except redis.RedisError:
                logger.warning("coalescing without Redis for %s", names)
        taken = []
        with self._lock:
            for name in names:
                if name in self._local_held:
                    self._local_dirty.add(name)
                    taken.append(False)
                else:
                    self._local_held.add(name)
                    taken.append(True)
        return taken

    def _again_or_release(self, name: str) -> bool:
        client = get_redis()
        if client is not None:
            try:
                keys = [f"{self.prefix}:{name}:held", f"{self.prefix}:{name}:dirty"]
                return bool(client.eval(_AGAIN_OR_RELEASE, 2, *keys, HOLD_MS))
            except redis.RedisError:
                logger.warning("coalescing without Redis for %s", name)
        with self._lock:
            if name in self._local_dirty:
                self._local_dirty.discard(name)
                return True
            self._local_held.discard(name)
            return False

    # --- the background thread ---------------------------------------------------------------

    def _enqueue(self, delay_s: float, action: Flush) -> None:
        self._ensure_thread()
        with self._wakeup:
            due = time.monotonic() + delay_s
            heapq.heappush(self._queue, (due, next(self._order), action))
            self._idle = False
            self._wakeup.notify()

    def _ensure_thread(self) -> None:
        # After a fork (gunicorn workers) the parent's thread is gone; start one per process.
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._queue.clear()
            self._idle = True
            threading.Thread(target=self._loop, name="coalescer", daemon=True).start()

    def _loop(self) -> None:
        while True:
            with self._wakeup:
                while not self._queue or self._queue[0][0] > time.monotonic():
                    if not self._queue and not self._idle:
                        # Idle: give the database connection back until there is work.
                        connection.close()
                        self._idle = True
                        self._wakeup.notify_all()
                    timeout = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._wakeup.wait(timeout)
                _, _, action = heapq.heappop(self._queue)
                self._idle = False
            try:
                action()
            except Exception:
                logger.exception("coalesced flush failed")

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """Block until nothing is scheduled (windows closed, connection released)."""
        deadline = time.monotonic() + timeout_s
        with self._wakeup:
            while not self._idle and time.monotonic() < deadline:
                self._wakeup.wait(deadline - time.monotonic())
            return self._idle

    @staticmethod
    def _run(flush: Flush) -> None:
        # The thread keeps its database connection between flushes; after a failure it is
        # dropped so the next flush starts on a fresh one.
        try:
            flush()
        except Exception:
            connection.close()
            raise
