"""The rounds of bench/steering.py: uniform batches composed once, then for each crowd a fresh
site where batches are launched steered, composed, heard and rated, round after round.
Django must be set up before this module is imported (bench/steering.py does it)."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.management import call_command

from bench import steering_crowd as crowd_
from bench.steering_compose import compose_batch, composed
from bench.steering_tastes import Composed, Taste
from curation.steering.models import TrackSteering
from generation import planning
from generation.models import GenerationBatch
from generation.services import BatchParams

BATCH = 20
# Each round's batch seed: the same for both arms, so a steered batch's exploring slots are
# the uniform batch's tracks in those places (common random numbers).
SEED = 7_000
# A pause between one round's last listen and the next launch.
BETWEEN_ROUNDS = timedelta(minutes=10)


@dataclass
class Round:
    number: int
    steered: list[Composed]  # the published tracks of the steered batch
    explored: int  # of them, composed as today (TrackSteering.steered false)
    rejected: int  # tracks the quality gate turned away
    model_samples: int | None  # the fitted version it was steered by (None: no model yet)
    shills_flagged: int  # by the round's end


@dataclass
class Arm:
    rounds: list[Round] = field(default_factory=list)
    tally: crowd_.Tally = field(default_factory=crowd_.Tally)
    proven: int = 0
    flagged_honest: int = 0
    flagged_shills: int = 0


def site_reset() -> None:
    """An empty site for the next crowd (every table emptied; the schema stays)."""
    call_command("flush", interactive=False, verbosity=0)


def launch(round_no: int, *, steer: bool) -> GenerationBatch:
    return planning.launch(
        params=BatchParams(count=BATCH, seed=SEED + round_no), source="command", steer=steer
    )


def uniform_rounds(rounds: int) -> list[list[Composed]]:
    """Today's launch, round after round: it ignores the crowd, so one set of batches serves
    every crowd."""
    site_reset()
    found = []
    for number in range(1, rounds + 1):
        found.append([composed(t) for t in compose_batch(launch(number, steer=False))])
    return found


def steered_rounds(
    *,
    rounds: int,
    tastes: list[Taste],
    honest: int,
    shills: int = 0,
    shill_for: str | None = None,
    seed: int = 1,
    report: str,
) -> Arm:
    """A crowd whose taste is tastes[round - 1] hears steered batches for `rounds` rounds."""
    site_reset()
    clock = crowd_.Clock(behind=timedelta(days=10))
    with clock.serving():
        people = crowd_.crowd(honest, shills, shill_for, seed)
    arm = Arm()
    for number in range(1, rounds + 1):
        taste = tastes[number - 1]
        version = crowd_.fit(clock)
        with clock.serving():
            batch = launch(number, steer=True)
            tracks = compose_batch(batch)
        views = [composed(t) for t in tracks]
        explored = TrackSteering.objects.filter(track__in=tracks, steered=False).count()
        heard = [
            crowd_.Heard(t.pk, float(t.duration_s or 0), taste.true(v), t.preset)
            for t, v in zip(tracks, views, strict=True)
        ]
        crowd_.hear_round(clock, people, heard, number, arm.tally)
        clock.set(clock.now + BETWEEN_ROUNDS)
        arm.rounds.append(
            Round(
                number=number,
                steered=views,
                explored=explored,
                rejected=BATCH - len(tracks),
                model_samples=version.samples if version else None,
                shills_flagged=crowd_.flagged(people)[1],
            )
        )
        print(f"  {report} round {number:>2}: {round_line(arm.rounds[-1], taste)}", flush=True)
    arm.proven = crowd_.proven(people)
    arm.flagged_honest, arm.flagged_shills = crowd_.flagged(people)
    return arm


def round_line(found: Round, taste: Taste) -> str:
    mean = statistics.fmean(taste.true(t) for t in found.steered) if found.steered else 0.0
    presets = Counter(t.preset for t in found.steered)
    model = f"model of {found.model_samples} tracks" if found.model_samples else "no model yet"
    return (
        f"steered mean {mean:.2f} stars, {len(found.steered) - found.explored} steered +"
        f" {found.explored} exploring, {found.rejected} rejected, {model};"
        f" presets {dict(sorted(presets.items()))}"
    )
