"""Counting refused and throttled feedback, so producers can see attempts at stuffing."""

import logging
from datetime import date
from typing import Any

import redis
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from albumvote.redis_client import get_redis
from curation.models import RefusedAttempt
from generation.models import Track

logger = logging.getLogger(__name__)

PENDING_KEY = "curation:refusals"


def refusal_count(*, track_id: int | None, kind: str, reason: str) -> None:
    """Count one refusal. With Redis it is a single HINCRBY (throttled floods must stay cheap);
    the beat task refusals_flush moves the counts to the database."""
    field = f"{timezone.localdate().isoformat()}|{track_id or ''}|{kind}|{reason}"
    try:
        get_redis().hincrby(PENDING_KEY, field, 1)
    except redis.RedisError:
        logger.warning("could not count a refusal in Redis; writing it to the database")
        _add(field, 1)


def refusals_flush() -> int:
    """Move pending counts from Redis to RefusedAttempt rows; returns how many were moved."""
    client = get_redis()
    batch_key = f"{PENDING_KEY}:flushing"
    try:
        # A batch left by a flush that died is finished first. Otherwise rename: counts
        # arriving while this runs go to a fresh hash instead of being lost.
        if not client.exists(batch_key):
            if not client.exists(PENDING_KEY):
                return 0
            client.rename(PENDING_KEY, batch_key)
        pending = client.hgetall(batch_key)
    except redis.RedisError:
        logger.warning("could not read refusal counts from Redis", exc_info=True)
        return 0
    fields = {
        (raw.decode() if isinstance(raw, bytes) else raw): int(count)
        for raw, count in pending.items()
    }
    track_ids = {int(f.split("|")[1]) for f in fields if f.split("|")[1]}
    # A track deleted since the count was taken takes its counts with it.
    existing = set(Track.objects.filter(pk__in=track_ids).values_list("pk", flat=True))
    total = 0
    with transaction.atomic():
        for field, count in fields.items():
            track = field.split("|")[1]
            if track and int(track) not in existing:
                continue
            _add(field, count)
            total += count
    client.delete(batch_key)
    return total


def _add(field: str, count: int) -> None:
    day, track, kind, reason = field.split("|")
    where: dict[str, Any] = {"kind": kind, "reason": reason, "day": date.fromisoformat(day)}
    where["track_id"] = int(track) if track else None
    row, _ = RefusedAttempt.objects.get_or_create(**where)
    RefusedAttempt.objects.filter(pk=row.pk).update(count=F("count") + count)
