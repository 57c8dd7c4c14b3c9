"""Duel batches: a candidate composer version against the current one, on the same ground.

Each pair of tracks (positions 2k and 2k + 1) has the same parameters and seed, one composed
by each version, so a listener comparing them in the arena hears only what the versions do
differently. Which version composes the first of a pair alternates; the arena plays the two
in a random order anyway.
"""

from typing import Any

from django.conf import settings
from django.db import transaction

from albumvote.exceptions import ApplicationError

from .models import ComposerVersion, GenerationBatch
from .services import batch_create, batch_params_validate, batch_seed, batch_track_params
from .versions import User, composer_version_get, composer_version_sync


def duel_pairs_limit() -> int:
    return settings.GENERATION_MAX_BATCH_SIZE // 2


def duel_launch(
    *,
    candidate_id: int,
    pairs: object,
    source: str,
    launched_by: User = None,
    preset: str | None = None,
    seed: int | None = None,
) -> GenerationBatch:
    """A batch of `pairs` same-parameter pairs, candidate against the current version."""
    limit = duel_pairs_limit()
    if isinstance(pairs, bool) or not isinstance(pairs, int) or not 1 <= pairs <= limit:
        raise ApplicationError(
            f"pairs must be a whole number from 1 to {limit}.", details={"field": "pairs"}
        )
    raw: dict[str, Any] = {"count": pairs, "preset": preset, "seed": seed}
    params = batch_params_validate({k: v for k, v in raw.items() if v is not None})
    with transaction.atomic():
        incumbent = composer_version_sync()
        candidate = composer_version_get(candidate_id)
        if candidate.status != ComposerVersion.Status.CANDIDATE:
            raise ApplicationError(
                f"Composer version {candidate.version} is {candidate.status}: only a candidate "
                "duels the current version.",
                code="not_a_candidate",
                status_code=409,
            )
        base_seed = batch_seed(params)
        singles = batch_track_params(params, base_seed=base_seed)
        versions: list[str] = []
        for k in range(len(singles)):
            pair = [incumbent.version, candidate.version]
            versions.extend(pair if k % 2 == 0 else pair[::-1])
        batch = batch_create(
            source=source,
            batch_params={**params.as_json(), "seed": base_seed, "duel": candidate.version},
            track_params=[dict(p) for p in singles for _ in range(2)],
            launched_by=launched_by,
            composer_versions=versions,
        )
        batch.duel_candidate, batch.duel_incumbent = candidate, incumbent
        batch.save(update_fields=["duel_candidate", "duel_incumbent"])
    return batch
