"""Celery: Redis broker, JSON only, late acks, one task at a time per process."""

import environ
from django.core.exceptions import ImproperlyConfigured

from .redis import REDIS_URL

env = environ.Env()

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=600_000)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "generation.*": {"queue": "generation"},
    "curation.build_album_job": {"queue": "generation"},  # album mixes: long work too
    "curation.tune_composer": {"queue": "generation"},  # composes tracks again, then trains
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# One track takes seconds; the limit only stops a runaway render.
GENERATION_TASK_TIME_LIMIT = env.int("GENERATION_TASK_TIME_LIMIT", default=300)
# The soft limit leaves a moment to record the failure on the track before the hard kill.
GENERATION_TASK_SOFT_TIME_LIMIT = GENERATION_TASK_TIME_LIMIT - max(
    1, min(30, GENERATION_TASK_TIME_LIMIT // 10)
)
# A task whose worker was killed outright is redelivered by the Redis broker after this long.
# It must stay above the longest task time limit, or a running task gets delivered twice; a
# minute above it, a stranded track waits minutes, not an hour.
BROKER_VISIBILITY_TIMEOUT = env.int(
    "BROKER_VISIBILITY_TIMEOUT", default=GENERATION_TASK_TIME_LIMIT + 60
)
if BROKER_VISIBILITY_TIMEOUT <= GENERATION_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "BROKER_VISIBILITY_TIMEOUT must be above GENERATION_TASK_TIME_LIMIT "
        f"({BROKER_VISIBILITY_TIMEOUT} <= {GENERATION_TASK_TIME_LIMIT})"
    )
# The backstop for messages Redis lost (it keeps nothing on disk): an unfinished track nobody
# has touched for this long is queued again (the task is idempotent).
GENERATION_REQUEUE_AFTER_S = BROKER_VISIBILITY_TIMEOUT + 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    # Running workers look for messages of a dead worker every 10 s (kombu's default sweep is
    # every 100 s), so a stranded task returns soon after its visibility timeout.
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}

# A task that keeps killing its worker is requeued forever by reject_on_worker_lost;
# the track row counts attempts and gives up after this many.
GENERATION_MAX_ATTEMPTS = env.int("GENERATION_MAX_ATTEMPTS", default=3)
GENERATION_MAX_BATCH_SIZE = env.int("GENERATION_MAX_BATCH_SIZE", default=100)

CELERY_BEAT_SCHEDULE = {
    "generation-requeue-stalled": {
        "task": "generation.requeue_stalled",
        "schedule": 60.0,
    },
    "curation-flush-refusals": {
        "task": "curation.flush_refusals",
        "schedule": 60.0,
    },
    "curation-flag-raters": {
        "task": "curation.flag_raters",
        "schedule": 60.0,
    },
    "curation-fit-preferences": {
        "task": "curation.fit_preferences",
        "schedule": 900.0,
    },
    "curation-refit-arena": {
        "task": "curation.refit_arena",
        "schedule": 60.0,
    },
    "curation-judge-duels": {
        "task": "curation.judge_duels",
        "schedule": 300.0,
    },
    "curation-reconcile-stats": {
        "task": "curation.reconcile_stats",
        "schedule": 3600.0,
    },
}
