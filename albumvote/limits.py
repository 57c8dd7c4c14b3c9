"""Fixed-window counters for rate limits, on Redis (one round trip per request)."""

import time
from typing import Any

import redis

from albumvote.redis_client import get_redis


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
