"""Coalescing: changes to many items (tracks) flushed together, at most once per window, always
ending with a flush after the last change.

The first change in a quiet period is flushed at once (leading edge); changes during the
window only join a dirty set, and when the window ends every item in it is flushed together
(trailing edge), then a new window starts. One flush covers all items changed in its window,
so its cost grows with the window count, not with votes x items.

Across processes the window is a Redis key taken with SET NX, and the dirty set is a Redis
set. Two small Lua scripts make "mark dirty, and take the window if it is free" and "take the
dirty items and keep the window, or give it up" atomic, so a change can never fall between a
window's last look and its end. Flushes run on one background thread per process, off the
request path. If the process holding a window dies, the key expires after HOLD_MS and the
next change starts a new window.
"""

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import redis
from django.db import connection

from albumvote.redis_client import get_redis

logger = logging.getLogger(__name__)

HOLD_MS = 3000
# How long a process gathers changed items before telling Redis (one call for all of them).
PUSH_DELAY_S = 0.02

# KEYS: held, dirty. ARGV: hold_ms, items... Returns the items to flush now if this caller
# took the window (leading edge), else an empty list.
_MARK_OR_TAKE = """
redis.call('SADD', KEYS[2], unpack(ARGV, 2))
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  local items = redis.call('SMEMBERS', KEYS[2])
  redis.call('DEL', KEYS[2])
  return items
end
return {}
"""
# KEYS: held, dirty. ARGV: hold_ms. Returns the items dirtied during the window (and keeps
# the window), or an empty list (and gives the window up).
_TAKE_OR_RELEASE = """
local items = redis.call('SMEMBERS', KEYS[2])
if #items > 0 then
  redis.call('DEL', KEYS[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return items
end
redis.call('DEL', KEYS[1])
return {}
"""

Flush = Callable[[list[str]], None]
Action = Callable[[], None]


class Coalescer:
    def __init__(self, flush: Flush, *, window_s: float = 0.25, prefix: str = "coalesce") -> None:
        self.flush = flush
        self.window_s = window_s
        self.keys = [f"{prefix}:held", f"{prefix}:dirty"]
        self._local_held = False
        self._local_dirty: set[str] = set()
        self._pending: set[str] = set()
        self._push_scheduled = False
        self._lock = threading.Lock()
        self._queue: list[tuple[float, int, Action]] = []
        self._order = itertools.count()
        self._wakeup = threading.Condition(self._lock)
        self._pid: int | None = None
        self._idle = True

    def touch(self, items: Iterable[str]) -> None:
        """Record that items changed; they are flushed at once if no window is open.

        The request only notes the items here: the background thread tells Redis about every
        item noted in the last PUSH_DELAY_S in one call, instead of one call per vote.
        """
        with self._lock:
            self._pending.update(items)
            if self._push_scheduled:
                return
            self._push_scheduled = True
        self._enqueue(PUSH_DELAY_S, self._push)

    def _push(self) -> None:
        with self._lock:
            items, self._pending = sorted(self._pending), set()
            self._push_scheduled = False
        if not items:
            # A push scheduled twice (right after a fork) finds the first one took everything.
            return
        taken = self._mark_or_take(items)
        if taken:
            self._flush_and_wait(taken)

    def _flush_and_wait(self, items: list[str]) -> None:
        self._run(items)
        self._enqueue(self.window_s, self._window_ended)

    def _window_ended(self) -> None:
        items = self._take_or_release()
        if items:
            self._flush_and_wait(items)

    # --- shared state: Redis, or this process alone ----------------------------------------

    def _mark_or_take(self, items: list[str]) -> list[str]:
        try:
            return _decoded(_script(get_redis(), _MARK_OR_TAKE)(self.keys, [HOLD_MS, *items]))
        except redis.RedisError:
            logger.warning("coalescing in this process only: Redis did not answer", exc_info=True)
        with self._lock:
            self._local_dirty.update(items)
            if self._local_held:
                return []
            self._local_held = True
            taken, self._local_dirty = sorted(self._local_dirty), set()
            return taken

    def _take_or_release(self) -> list[str]:
        try:
            return _decoded(_script(get_redis(), _TAKE_OR_RELEASE)(self.keys, [HOLD_MS]))
        except redis.RedisError:
            logger.warning("coalescing in this process only: Redis did not answer", exc_info=True)
        with self._lock:
            if self._local_dirty:
                taken, self._local_dirty = sorted(self._local_dirty), set()
                return taken
            self._local_held = False
            return []

    # --- the background thread ---------------------------------------------------------------

    def _enqueue(self, delay_s: float, action: Action) -> None:
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
            self._push_scheduled = False
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

    def _run(self, items: list[str]) -> None:
        # The thread keeps its database connection between flushes; after a failure it is
        # dropped so the next flush starts on a fresh one.
        try:
            self.flush(items)
        except Exception:
            connection.close()
            raise


_scripts: dict[tuple[int, str], Any] = {}


def _script(client: redis.Redis, source: str) -> Any:
    """A registered script (sent by SHA after the first call), one per client and source."""
    key = (id(client), source)
    if key not in _scripts:
        _scripts[key] = client.register_script(source)
    return _scripts[key]


def _decoded(items: list[bytes | str]) -> list[str]:
    return sorted(i.decode() if isinstance(i, bytes) else i for i in items)
