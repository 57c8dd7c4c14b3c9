"""One shared Redis client per process for counters and locks."""

import functools

import redis
from django.conf import settings


def get_redis() -> redis.Redis:
    return _client(settings.REDIS_URL)


@functools.cache
def _client(url: str) -> redis.Redis:
    # Short timeouts: Redis backs rate limits and live-update bookkeeping, never the vote
    # itself, so a slow or absent Redis must not hold a request up.
    return redis.Redis.from_url(
        url, socket_connect_timeout=0.25, socket_timeout=0.5, health_check_interval=30
    )
