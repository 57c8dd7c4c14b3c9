"""Launching a batch, steered or not: the one entry for every launcher (dashboard, API,
schedule, command).

An unsteered batch is planned here, as it always was (the preset and the seed decide). A
steered batch is planned by the crowd's preference model, which lives in curation, and
generation never imports curation (docs/architecture.md): curation registers its planner
here when it starts (CurationConfig.ready), as it connects its signal receivers.
"""

from datetime import datetime
from typing import Any, Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from albumvote.exceptions import ApplicationError

from .models import EXPLORATION, BatchSchedule, GenerationBatch
from .services import BatchParams, batch_launch

__all__ = ["EXPLORATION", "launch", "steer_options_validate", "steered_launcher_register"]


class SteeredLauncher(Protocol):
    def __call__(
        self,
        *,
        params: BatchParams,
        source: str,
        launched_by: AbstractBaseUser | AnonymousUser | None,
        exploration: float,
        schedule: BatchSchedule | None,
        schedule_slot: datetime | None,
    ) -> GenerationBatch: ...


_steered: list[SteeredLauncher] = []


def steered_launcher_register(launcher: SteeredLauncher) -> None:
    """Called once by curation at start-up; a second call replaces the first."""
    _steered[:] = [launcher]


def launch(
    *,
    params: BatchParams,
    source: str,
    launched_by: AbstractBaseUser | AnonymousUser | None = None,
    steer: bool = False,
    exploration: float = EXPLORATION,
    schedule: BatchSchedule | None = None,
    schedule_slot: datetime | None = None,
) -> GenerationBatch:
    """Launch a batch; with `steer`, its tracks are planned by the crowd's preference model."""
    if not steer:
        return batch_launch(
            params=params,
            source=source,
            launched_by=launched_by,
            schedule=schedule,
            schedule_slot=schedule_slot,
        )
    if not _steered:
        raise ApplicationError("Steering is not installed on this site.", code="unavailable")
    return _steered[0](
        params=params,
        source=source,
        launched_by=launched_by,
        exploration=exploration,
        schedule=schedule,
        schedule_slot=schedule_slot,
    )


def steer_options_validate(raw: dict[str, Any]) -> tuple[bool, float]:
    """Take `steer` and `exploration` out of a launch body: whether to steer, and the share
    to explore. Bad ones raise ApplicationError naming the field."""
    steer = raw.pop("steer", False)
    if not isinstance(steer, bool):
        raise ApplicationError("steer must be true or false.", details={"field": "steer"})
    if "exploration" not in raw:
        return steer, EXPLORATION
    exploration = exploration_validate(raw.pop("exploration"))
    if not steer:
        raise ApplicationError(
            "exploration applies to a steered batch: send steer: true with it.",
            details={"field": "exploration"},
        )
    return steer, exploration


def exploration_validate(exploration: object) -> float:
    if isinstance(exploration, bool) or not isinstance(exploration, int | float):
        raise ApplicationError(
            "exploration must be a number from 0 to 1.", details={"field": "exploration"}
        )
    if not 0 <= exploration <= 1:
        raise ApplicationError(
            f"exploration must be from 0 to 1, got {exploration}.",
            details={"field": "exploration"},
        )
    return float(exploration)
