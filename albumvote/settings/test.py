"""Tests: the real PostgreSQL and Redis that ./test.sh found or started, fast hashing."""

from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Messages queued by services go nowhere unless a test starts a worker on a real broker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")

# Counters, locks and live updates use a Redis database of their own in tests.
REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "max_connections": 200}],
            # Pub/sub channels are shared by every database of a Redis server: a prefix of
            # this run's own keeps test runs side by side from hearing each other's events.
            "prefix": "test" + (urlsplit(REDIS_URL).path.strip("/") or "0"),
        },
    }
}

# Separate test databases for test runs that share one PostgreSQL server at the same time.
if env.str("TEST_DB_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DB_NAME")}  # noqa: F405
