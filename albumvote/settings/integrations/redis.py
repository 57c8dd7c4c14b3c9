"""Where Redis is: the Celery broker, the Channels layer, counters and locks."""

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is empty. ./run.sh and ./test.sh find or start Redis themselves."
    )
