"""The measurements of bench/steering.py: the yardstick, the uniform batches, every crowd's
steered rounds, and the figures of the JSON line. Django must be set up first."""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.core.management import call_command

from bench import steering_tastes as tastes
from bench import steering_tuned
from bench.generation import one_core
from bench.steering_compose import compose_for_oracle, loudness_by_preset, without_rendering
from bench.steering_crowd import HEARD_PER_ROUND
from bench.steering_run import BATCH, Arm, steered_rounds, uniform_rounds
from bench.steering_tuned import Tuned
from generation import rerank
from generation.composer import PRESETS, ModelNotFoundError, train
from generation.composer.model import current_artifact
from generation.models import Track
from generation.music import model_get

# The style the shills push: the one the linear crowd likes least (slow, quiet).
PUSHED = "chorale"
SHILL_SHARE = 0.10  # of all raters


def tuned_model_win_rate(args: argparse.Namespace, loudness: dict[str, float]) -> Tuned:
    """The crowd-tuned composer against its base version: bench/steering_tuned.py."""
    return steering_tuned.tuned_model_win_rate(
        listeners=args.listeners,
        loudness=loudness,
        rounds=args.rounds,  # as many batches heard as every other crowd hears
        pairs=30 if args.quick else steering_tuned.PAIRS,
    )


def steer_overhead_s_per_track() -> dict[str, Any]:
    """What reranking cost the last steered batch composed here: each of its steered tracks
    composed again from its parameters as the best of its K candidates and as one, on one
    core (the MIDI bytes included, as the service stores them); the extra seconds per track.
    bench/rerank.py measures the same on its own, with a render for scale."""
    model = model_get()
    latest = Track.objects.filter(steering__steered=True).order_by("-batch_id").first()
    if latest is None:
        return {"s_per_track": None}
    tracks = Track.objects.filter(batch_id=latest.batch_id, steering__steered=True)
    specs = [t.params for t in tracks.order_by("position")]
    seconds: dict[int, list[float]] = {1: [], rerank.CANDIDATES: []}
    with one_core():
        rerank.compose_best(model, specs[0])  # warm: tables paged in, code compiled
        for raw in specs:
            for k in seconds:
                one = {**raw, rerank.SPEC_KEY: {**raw[rerank.SPEC_KEY], "candidates": k}}
                started = time.perf_counter()
                rerank.compose_best(model, one).piece.midi_bytes()
                seconds[k].append(time.perf_counter() - started)
    alone, best = (statistics.fmean(seconds[k]) for k in seconds)
    return {
        "s_per_track": round(best - alone, 3),
        "compose_k1_s": round(alone, 3),
        f"compose_k{rerank.CANDIDATES}_s": round(best, 3),
        "tracks": len(specs),
    }


def measure(args: argparse.Namespace, *, trained: bool) -> dict[str, Any]:
    redis.Redis.from_url(args.redis_url).flushdb()
    call_command("migrate", verbosity=0)
    model_dir = Path(settings.COMPOSER_MODEL_DIR)
    if trained:
        _train(model_dir)
    loudness = loudness_by_preset()
    grid = {"tempo_step": 8, "seconds_step": 35} if args.quick else {}
    best = tastes.best_expected(
        [*tastes.STATIONARY, tastes.FLIPPED],
        compose_for_oracle(loudness),
        tempo_step=grid.get("tempo_step", 4),
        seconds_step=grid.get("seconds_step", 15),
    )
    print("best expected stars: " + ", ".join(f"{k} {v:.2f}" for k, v in best.items()), flush=True)
    rounds, flip = args.rounds, args.flip
    with without_rendering(loudness):
        uniform = uniform_rounds(rounds)
        arms = {}
        for taste in tastes.STATIONARY:
            print(f"crowd '{taste.name}' ({taste.about}):", flush=True)
            arms[taste.name] = steered_rounds(
                rounds=rounds, tastes=[taste] * rounds, honest=args.listeners, report=taste.name
            )
        print(f"crowd 'drift': linear, flipped from round {flip}:", flush=True)
        drift_tastes = [tastes.LINEAR] * (flip - 1) + [tastes.FLIPPED] * (rounds - flip + 1)
        drift = steered_rounds(
            rounds=rounds, tastes=drift_tastes, honest=args.listeners, report="drift"
        )
        shills = round(args.listeners * SHILL_SHARE / (1 - SHILL_SHARE))
        print(f"crowd 'shills': linear, {shills} shills pushing {PUSHED}:", flush=True)
        shilled = steered_rounds(
            rounds=rounds,
            tastes=[tastes.LINEAR] * rounds,
            honest=args.listeners,
            shills=shills,
            shill_for=PUSHED,
            report="shills",
        )
    # Before the melodic crowd's fresh site: of the shill crowd's last batch, still stored.
    overhead = steer_overhead_s_per_track()
    print(f"reranking overhead: {overhead}", flush=True)
    print(f"crowd '{tastes.MELODIC.name}' ({tastes.MELODIC.about}), then tuning:", flush=True)
    tuned = tuned_model_win_rate(args, loudness)
    print(f"tuned: win rate {tuned.win_rate}, {tuned.figures}", flush=True)
    figures = {
        name: taste_figures(taste, arms[name], uniform, best[name])
        for name, taste in ((t.name, t) for t in tastes.STATIONARY)
    }
    for name, found in figures.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in found.items() if k != "by_round"))
        for n, (s, u) in enumerate(found["by_round"], 1):
            print(f"  round {n:>2}: steered {s:.2f}  uniform {u:.2f}  gain {s - u:+.2f}")
    drift_figures = _drift(drift, uniform, drift_tastes, flip)
    shill_figures = _shills(arms[tastes.LINEAR.name], shilled, shills)
    print(f"drift: {drift_figures}")
    print(f"shills: {shill_figures}")
    every = [*arms.values(), drift, shilled]
    return {
        "regret_ratio": max(f["regret_ratio"] for f in figures.values()),
        "last_round_gain_stars": min(f["last_round_gain_stars"] for f in figures.values()),
        "drift_recovery_rounds": drift_figures["recovery_rounds"],
        "presets_kept": min(f["presets_kept"] for f in figures.values()),
        "shill_shift_stars": shill_figures["shift_stars"],
        "tuned_model_win_rate": tuned.win_rate,
        "steer_overhead_s_per_track": overhead["s_per_track"],
        "steer_overhead": overhead,
        "presets": len(PRESETS),
        "tastes": {
            name: {k: v for k, v in found.items() if k != "by_round"}
            | {"steered_by_round": [r[0] for r in found["by_round"]]}
            | {"uniform_by_round": [r[1] for r in found["by_round"]]}
            for name, found in figures.items()
        },
        "drift": drift_figures,
        "shills": shill_figures,
        "tuned": tuned.figures,
        "rounds": rounds,
        "batch": BATCH,
        "listeners": args.listeners,
        "heard_per_round": HEARD_PER_ROUND,
        "listens": sum(a.tally.listens for a in every),
        "ratings_counted": sum(a.tally.counted for a in every),
        "ratings_refused": sum(a.tally.refused for a in every),
        "listeners_proven": [a.proven for a in every],
        "honest_flagged": sum(a.flagged_honest for a in every),
        "crowd_s": round(sum(a.tally.run_s for a in every)),
        "rendered": False,
        "energy": "MIDI note density per track; synth loudness per preset from 2 real renders",
    }


def _train(model_dir: Path) -> None:
    try:
        current_artifact(model_dir)
    except ModelNotFoundError:
        train(
            list(settings.COMPOSER_DEFAULT_COLLECTIONS),
            cache_dir=Path(settings.COMPOSER_CACHE_DIR),
            model_dir=model_dir,
            workers=2,
        )  # the default collections, as `manage.py train_composer` trains


def _means(arm: Arm, uniform: list[list[tastes.Composed]], by_round: list[tastes.Taste]):
    return [
        (
            _mean([taste.true(t) for t in found.steered]),
            _mean([taste.true(t) for t in uniform[n]]),
        )
        for n, (found, taste) in enumerate(zip(arm.rounds, by_round, strict=True))
    ]


def taste_figures(
    taste: tastes.Taste, arm: Arm, uniform: list[list[tastes.Composed]], best: float
) -> dict[str, Any]:
    steered_regret = sum(best - taste.true(t) for r in arm.rounds for t in r.steered)
    uniform_regret = sum(best - taste.true(t) for batch in uniform for t in batch)
    by_round = _means(arm, uniform, [taste] * len(arm.rounds))
    with_model = Counter(t.preset for r in arm.rounds if r.model_samples for t in r.steered)
    return {
        "regret_ratio": round(steered_regret / uniform_regret, 3),
        "last_round_gain_stars": round(by_round[-1][0] - by_round[-1][1], 3),
        "presets_kept": _kept(with_model),
        "preset_shares": {
            k: round(v / max(1, with_model.total()), 3) for k, v in sorted(with_model.items())
        },
        "best_expected_stars": round(best, 3),
        "steered_mean_stars": round(
            _mean([taste.true(t) for r in arm.rounds for t in r.steered]), 3
        ),
        "uniform_mean_stars": round(_mean([taste.true(t) for b in uniform for t in b]), 3),
        "first_steered_round": next((r.number for r in arm.rounds if r.model_samples), None),
        "rejected": sum(r.rejected for r in arm.rounds),
        "by_round": [(round(s, 3), round(u, 3)) for s, u in by_round],
    }


def _drift(arm: Arm, uniform, by_round: list[tastes.Taste], flip: int) -> dict[str, Any]:
    means = _means(arm, uniform, by_round)
    ahead = [s > u for s, u in means]
    # Recovered: ahead from that round to the last (one round ahead by chance is not it).
    stays = [n for n in range(flip, len(means) + 1) if all(ahead[n - 1 :])]
    first = [n for n in range(flip, len(means) + 1) if ahead[n - 1]]
    return {
        "recovery_rounds": stays[0] - flip if stays else None,
        "first_ahead_after_flip": first[0] - flip if first else None,
        "flip_round": flip,
        "gain_by_round": [round(s - u, 3) for s, u in means],
    }


def _shills(clean: Arm, shilled: Arm, shills: int) -> dict[str, Any]:
    steered = [n for n, r in enumerate(clean.rounds) if r.model_samples]
    true = tastes.LINEAR.true
    before = _mean([true(t) for n in steered for t in clean.rounds[n].steered])
    after = _mean([true(t) for n in steered for t in shilled.rounds[n].steered])
    pushed = Counter(t.preset for n in steered for t in shilled.rounds[n].steered)[PUSHED]
    clean_pushed = Counter(t.preset for n in steered for t in clean.rounds[n].steered)[PUSHED]
    return {
        "shift_stars": round(before - after, 3),
        "shills": shills,
        "shills_flagged": shilled.flagged_shills,
        "shills_flagged_by_round": [r.shills_flagged for r in shilled.rounds],
        "pushed_tracks": pushed,
        "pushed_tracks_without_shills": clean_pushed,
        "steered_mean_stars": round(after, 3),
        "steered_mean_stars_without_shills": round(before, 3),
    }


def _kept(presets: Counter[str]) -> int:
    total = presets.total()
    return sum(total > 0 and presets[name] / total >= 0.05 for name in PRESETS)


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")
