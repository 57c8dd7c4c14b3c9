"""Steering: crowds whose tastes the code under test cannot see, steered batches against
today's uniform launch (issue 12, section 5).

Hidden tastes (bench/steering_tastes.py) give each composed track its true stars: a linear
one (tempo, energy, major mode, length), one with a tempo x preset interaction (fast dances,
slow calm styles), one single-peaked in tempo (128 BPM). The code under test sees only what a
crowd with that taste does: simulated listeners (bench/steering_crowd.py) hear 8 of each
20-track batch, skipping what they dislike and hearing more of what they like, and rate with
noise, through the services the API calls (listening events, rating_submit and its vote
function), on a simulated server clock the services read (so new identities prove themselves
with five minutes of listening without the bench waiting; the module says how the clock and
the ratings' anomaly test, which beat runs every minute, fit together).

Each round, for each crowd: the preference model is fitted (curation.steering.services
.preference_fit, as on demand), a 20-track batch is launched with
generation.planning.launch(steer=True) (curation's steered_batch_launch: Thompson sampling,
20% exploring), composed in this process through generation.services.track_generate, heard
and rated. Today's launch, planning.launch(steer=False), ignores the crowd: its batches (the
same seeds) are composed once and scored under every taste.

NOT RENDERED: tracks are composed, gated and published, but no audio is rendered (600+
tracks on two cores); energy comes from each track's MIDI with the synth's loudness measured
per preset by real renders (bench/steering_compose.py says exactly what). The JSON says
"rendered": false.

Figures, each the worst over the three tastes where a key has one number (a steering that
helps only some crowds does not meet the target):
- regret_ratio: cumulative regret over all rounds, steered / uniform; a track's regret is the
  best stars a planner knowing the taste could expect from the composer (composed over its
  parameter grid, finalists composed again with more seeds) minus the track's true stars;
- last_round_gain_stars: last round's mean true stars, steered minus uniform;
- drift_recovery_rounds: the linear crowd's taste turns upside down at round 8 (of 15);
  rounds after the flip until steered batches beat the uniform ones and stay ahead to the
  last round (None: not within the run; a single round ahead by chance does not count);
- presets_kept: presets with at least 5% of the tracks of steered batches launched with a
  model;
- shill_shift_stars: with 10% of raters shills (5 stars to every chorale, the style the linear
  crowd likes least; 1 star to the rest after just enough listening), the drop in the
  steered batches' mean true stars (rounds with a model) against the same crowd without them;
- tuned_model_win_rate: a crowd with a melodic taste (in key, varied pitches, stepwise)
  rates uniform batches, a candidate composer is tuned on the tracks it approved, and both
  versions compose the same parameters and seeds: the candidate's share of the pairs the
  melodic taste prefers, ties half (bench/steering_tuned.py; null if nothing was approved);
- steer_overhead_s_per_track: the extra composing time per steered track of reranking (the
  last steered batch's tracks composed again as the best of K and as one, on one core).

    .venv/bin/python bench/steering.py            # 50 listeners, 15 rounds; about 20 minutes
    .venv/bin/python bench/steering.py --quick    # 16 listeners, 5 rounds; a smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.servers import database_and_admin, fresh_database  # noqa: E402

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_steering"
REDIS_URL = "redis://127.0.0.1:6379/14"
TARGETS = {
    "regret_ratio": ("<=", 0.5),
    "last_round_gain_stars": (">=", 0.4),
    "drift_recovery_rounds": ("<=", 3),
    "presets_kept": (">=", None),  # all presets
    "shill_shift_stars": ("<=", 0.15),
    "tuned_model_win_rate": (">=", 0.6),
    "steer_overhead_s_per_track": ("<=", 1.0),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, default=50, help="honest listeners per crowd")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--flip", type=int, default=8, help="the round the drift crowd flips")
    parser.add_argument("--quick", action="store_true", help="16 listeners, 5 rounds, flip at 4")
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--model-dir", type=Path, help="a trained composer (else one is trained)")
    args = parser.parse_args()
    if args.quick:
        args.listeners, args.rounds, args.flip = 16, 5, 4
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="albumvote-steering-"))
    fresh_database(*database_and_admin(args.database_url))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "albumvote.settings.production",
            "SECRET_KEY": "steering-" + "k" * 60,
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "SECURE_SSL_REDIRECT": "false",
            "DATA_DIR": str(work),
            "MEDIA_ROOT": str(work / "media"),
            "COMPOSER_MODEL_DIR": str(args.model_dir or work / "models"),
            # The parse cache the tests and other runs share (training from it takes seconds).
            "COMPOSER_CACHE_DIR": os.environ.get(
                "COMPOSER_CACHE_DIR", str(ROOT / "data" / "cache")
            ),
            "LOG_LEVEL": "WARNING",
        }
    )
    # Django is configured here, from the options: the bench's modules below need it.
    import django

    django.setup()
    from bench.steering_measure import measure

    report = measure(args, trained=args.model_dir is None)
    report["targets"] = targets = {key: target_met(key, report) for key in TARGETS}
    report["targets_met"] = all(met is True for met in targets.values())
    report["seconds"] = round(time.monotonic() - began)
    for key, (sense, goal) in TARGETS.items():
        shown = "all presets" if goal is None else f"{sense} {goal}"
        print(f"{key}: {report[key]} (target {shown}: {met_word(targets[key])})")
    print(json.dumps(report))


def target_met(key: str, report: dict[str, Any]) -> bool | str:
    value = report[key]
    if value is None:
        return False
    sense, goal = TARGETS[key]
    goal = report["presets"] if goal is None else goal
    return bool(value <= goal if sense == "<=" else value >= goal)


def met_word(met: bool | str) -> str:
    return met if isinstance(met, str) else ("met" if met else "NOT met")


if __name__ == "__main__":
    main()
