"""Tests: real PostgreSQL/Redis when DATABASE_URL/REDIS_URL point at them, fast hashing."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Messages queued by services go nowhere unless a test starts a worker on a real broker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = False
