"""Tests: the real PostgreSQL and Redis that ./test.sh found or started, fast hashing."""

from urllib.parse import urlsplit

from csp.constants import SELF, UNSAFE_EVAL

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

# Playwright's wait_for_function runs its predicate with eval() inside the page, so the browser
# tests' server (tests/e2e/conftest.py) admits eval; the rest of the policy is production's.
if env.bool("CSP_ADMIT_EVAL_FOR_PLAYWRIGHT", default=False):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] = [SELF, UNSAFE_EVAL]  # noqa: F405
