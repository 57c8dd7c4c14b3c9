"""Fixed-window counters for rate limits: Redis INCR when there is Redis, a local dict if not."""

import threading
import time
from typing import Any

import redis

from albumvote.redis_client import get_redis

_local: dict[str, tuple[float, int]] = {}
_local_lock = threading.Lock()


def hit(key: str, *, limit: int, window_s: int) -> tuple[bool, float]:
    """Count one attempt; return (allowed, seconds until the window resets)."""
    return hit_many([(key, limit, window_s)])[0]


def hit_many(limits: list[tuple[str, int, int]]) -> list[tuple[bool, float]]:
    """Count one attempt against several (key, limit, window_s) limits in one round trip.

    Fails open: when Redis does not answer, the attempt is allowed, because rate limits guard
    the vote and must never stop it being stored.
    """
    now = time.time()
    windows = []
    for key, _, window_s in limits:
        start = int(now // window_s) * window_s
        windows.append((f"limit:{key}:{start}", start + window_s - now))
    client = get_redis()
    if client is None:
        return [
            (_hit_local(full_key, limit=limit, window_s=window_s, now=now), retry)
            for (full_key, retry), (_, limit, window_s) in zip(windows, limits, strict=True)
        ]
    try:
        counts = _count_script(client)(
            [full_key for full_key, _ in windows], [window_s + 1 for _, _, window_s in limits]
        )
    except redis.RedisError:
        return [(True, 0.0) for _ in limits]
    return [
        (int(count) <= limit, retry)
        for count, (_, retry), (_, limit, _) in zip(counts, windows, limits, strict=True)
    ]


# One command for every limit of a request: this runs on each vote, and one small script
# costs far less Python (and one round trip) than a pipeline of INCR and EXPIRE pairs.
_COUNT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""
_scripts: dict[int, Any] = {}


def _count_script(client: redis.Redis) -> Any:
    if id(client) not in _scripts:
        _scripts[id(client)] = client.register_script(_COUNT)
    return _scripts[id(client)]


def _hit_local(key: str, *, limit: int, window_s: int, now: float) -> bool:
    with _local_lock:
        if len(_local) > 10_000:
            for stale in [k for k, (expires, _) in _local.items() if expires < now]:
                del _local[stale]
        expires, count = _local.get(key, (now + window_s, 0))
        _local[key] = (expires, count + 1)
        return count + 1 <= limit
