"""Launching a steered batch: each track's parameters drawn by the policy
(curation.steering.policy) from the current preference model, the launcher's choices pinned,
a steered track's reranking spec put in its params (generation.rerank composes its candidates),
and why each track was composed as it was recorded beside it (TrackSteering)."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from curation.steering.models import TrackSteering
from curation.steering.policy import draw_batch
from curation.steering.selectors import preference_current, recent_presets
from generation.models import BatchSchedule, GenerationBatch
from generation.planning import EXPLORATION
from generation.rerank import SPEC_KEY
from generation.services import BatchParams, batch_create, batch_seed, batch_track_params

# BatchParams' default temperature: only another value is the launcher's choice.
DEFAULT_TEMPERATURE = 1.0


def steered_batch_launch(
    *,
    params: BatchParams,
    source: str,
    launched_by: AbstractBaseUser | AnonymousUser | None = None,
    exploration: float = EXPLORATION,
    schedule: BatchSchedule | None = None,
    schedule_slot: datetime | None = None,
) -> GenerationBatch:
    """Launch a batch steered by the current preference model (composed as today while there
    is none: every slot explores). Registered with generation.planning, which every launcher
    calls."""
    version = preference_current()
    base_seed = batch_seed(params)
    pins = batch_pins(params)
    draws = draw_batch(
        version=version,
        count=params.count,
        seed=base_seed,
        exploration=exploration,
        pins=pins,
        recent=recent_presets(),
    )
    unsteered = batch_track_params(params, base_seed=base_seed)
    with transaction.atomic():
        batch = batch_create(
            source=source,
            batch_params={**params.as_json(), "seed": base_seed},
            track_params=[
                {**base, **draw.params, **({SPEC_KEY: draw.rerank} if draw.rerank else {})}
                for base, draw in zip(unsteered, draws, strict=True)
            ],
            launched_by=launched_by,
            schedule=schedule,
            schedule_slot=schedule_slot,
        )
        TrackSteering.objects.bulk_create(
            TrackSteering(
                track=track,
                steered=draw.steered,
                policy_version_id=draw.policy_version,
                sampled=draw.sampled,
                predicted=draw.predicted,
                predicted_sd=draw.sd,
                exploration=exploration,
                pins=pins,
            )
            for track, draw in zip(batch.tracks.order_by("position"), draws, strict=True)
        )
    return batch


def batch_pins(params: BatchParams) -> dict[str, Any]:
    """The parameters the launcher fixed; the policy steers the rest."""
    pins: dict[str, Any] = {}
    if params.preset:
        pins["preset"] = params.preset
    if params.mode:
        pins["mode"] = params.mode
    if params.tempo_bpm is not None:
        pins["tempo_bpm"] = float(params.tempo_bpm)
    if params.temperature != DEFAULT_TEMPERATURE:
        pins["temperature"] = float(params.temperature)
    return pins
