"""How a long job's Celery task behaves, for every app's long jobs (a track, an album job).

Acknowledged late and rejected when its worker dies, so a killed worker's job comes back (the
broker's visibility timeout); a database that went away for a moment is retried with backoff,
and each retry counts as an attempt on the job's row.
"""

from typing import Any

from django.db import InterfaceError, OperationalError

LONG_JOB: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 3,
}
