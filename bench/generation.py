"""Benchmark of the generation pipeline; prints figures and ends with one JSON line.

    .venv/bin/python bench/generation.py [--skip-training] [--skip-batch] [--skip-stems]

For each soundfont installed (FluidR3_GM from fluid-soundfont-gm, when present, and the
TimGM6mb that pretty_midi ships):
- compose / render / encode / total for a 120 s track: median of 5, on ONE core;
- the real-time factor (seconds of audio per second of work);
- the stems of a 120 s track (every part rendered alone, FLAC): median of 3, on ONE core;
- a 20-track batch with a real 2-process Celery worker (Redis + PostgreSQL when reachable);
- the worker's peak RSS (largest process of the worker during the batch).
Once: training time from scratch (empty parse cache) and from the parse cache.
The JSON line's top-level figures are those of the soundfont production uses (the first
installed); "by_soundfont" has every soundfont's.
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, this folder comes first on sys.path and this file would shadow the
# `generation` package it measures.
sys.path[0] = str(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "albumvote.settings.dev")
PY = sys.executable

from bench.servers import ADMIN_DB, celery_worker_command, fresh_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-stems", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from generation.audio import soundfont

    installed = [path for path in soundfont.PREFERRED if path.is_file()] + [soundfont.FALLBACK]
    figures: dict[str, Any] = {}
    by_soundfont: dict[str, dict[str, float | None]] = {}
    with tempfile.TemporaryDirectory(prefix="albumvote-bench-") as tmp:
        work = Path(tmp)
        model_dir = Path(os.environ.get("COMPOSER_MODEL_DIR", ROOT / "data" / "models"))
        if not args.skip_training:
            scratch, cached = bench_training(work)
            figures["train_scratch_s"] = round(scratch, 1)
            figures["train_cached_s"] = round(cached, 1)
            model_dir = work / "models"
        for path in installed:
            print(f"--- soundfont {path.name} ({path.stat().st_size / 2**20:.0f} MB file)")
            found: dict[str, float | None] = dict(bench_single_track(model_dir, args.runs, path))
            soundfont.soundfont_unload()  # one soundfont in memory at a time
            if not args.skip_stems:
                found["stems120_s"] = round(bench_stems(path), 2)
                soundfont.soundfont_unload()
            if not args.skip_batch:
                batch_s, rss_mb = bench_batch(work, model_dir, path)
                found["batch20_s"] = round(batch_s, 1)
                found["worker_rss_mb"] = round(rss_mb, 1)
            by_soundfont[path.name] = found
    keys = [
        "realtime_factor",
        "track120_s",
        "batch20_s",
        "train_scratch_s",
        "train_cached_s",
        "worker_rss_mb",
    ]
    print("soundfont      | real time | 120 s track | stems of it | 20-track batch | worker RSS")
    for name, found in by_soundfont.items():
        stems, batch = _figure(found.get("stems120_s"), "s"), _figure(found.get("batch20_s"), "s")
        print(
            f"{name:<14} | {found['realtime_factor']:>8}x | {found['track120_s']:>9} s"
            f" | {stems:>11} | {batch:>14} | {_figure(found.get('worker_rss_mb'), 'MB')}"
        )
    print("targets: >= 25x real time on one core, worker RSS <= 400 MB")
    default = by_soundfont[installed[0].name]
    print(
        json.dumps(
            {
                **{key: default.get(key, figures.get(key)) for key in keys},
                "soundfont": installed[0].name,
                "by_soundfont": by_soundfont,
            }
        )
    )


def _figure(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value} {unit}"


def bench_training(work: Path) -> tuple[float, float]:
    env = {
        **os.environ,
        # Training reads no table, but the settings load only with a database to name.
        "DATABASE_URL": bench_database(work),
        "COMPOSER_CACHE_DIR": str(work / "cache"),
        "COMPOSER_MODEL_DIR": str(work / "models"),
    }
    times = []
    for label in ("from scratch (empty parse cache)", "from the parse cache"):
        started = time.perf_counter()
        # The first run starts with an empty parse cache; the second reuses what it wrote.
        subprocess.run(
            [PY, "manage.py", "train_composer"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
        print(f"training {label}: {times[-1]:.1f} s")
    return times[0], times[1]


@contextlib.contextmanager
def one_core() -> Iterator[None]:
    """Pin this process (and the ffmpeg it starts) to one core, as the targets are stated for
    one core; put back afterwards, or the batch's worker would inherit it too."""
    all_cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(all_cores)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, all_cores)


def bench_single_track(model_dir: Path, runs: int, soundfont: Path) -> dict[str, float]:
    """Median of `runs` per preset; the figures reported are those of the slowest preset."""
    with one_core():
        return _single_track_figures(model_dir, runs, soundfont)


def bench_stems(soundfont: Path, runs: int = 3) -> float:
    """Seconds to write the stems of the dense 120 s test piece (five parts), on one core."""
    from generation.audio import write_stems
    from tests.generation.audio.pieces import dense_piece

    midi = dense_piece(120.0)
    times = []
    with one_core():
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as out:
                started = time.perf_counter()
                write_stems(midi, Path(out), soundfont=soundfont)
                times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"stems of a dense 120 s piece (5 parts + the mix, FLAC): {median:.2f} s on one core")
    return median


def _single_track_figures(model_dir: Path, runs: int, soundfont: Path) -> dict[str, float]:
    from generation import audio, composer

    model = composer.load_model(model_dir)
    seconds_per_120s: dict[str, float] = {}
    for preset in sorted(composer.PRESETS):
        stages: dict[str, list[float]] = {k: [] for k in ("compose", "render", "encode", "total")}
        durations = []
        for run in range(runs):
            params = composer.ComposeParams(preset=preset, seed=1000 + run, target_seconds=120)
            with tempfile.TemporaryDirectory() as out:
                started = time.perf_counter()
                piece = composer.compose(model, params)
                piece.midi_bytes()  # the service stores the MIDI too
                composed = time.perf_counter()
                rendered = audio.render_midi(
                    piece.midi,
                    opus_path=Path(out) / "a.opus",
                    mp3_path=Path(out) / "a.mp3",
                    soundfont=soundfont,
                )
                audio.analyse_key(piece.midi)
                total = time.perf_counter() - started
            stages["compose"].append(composed - started)
            stages["render"].append(rendered.timings["render"] + rendered.timings["master"])
            stages["encode"].append(rendered.timings["encode"])
            stages["total"].append(total)
            durations.append(rendered.duration_s)
        median = {k: statistics.median(v) for k, v in stages.items()}
        duration = statistics.median(durations)
        # The target is stated per 120 s of audio: scale this preset's median to 120 s.
        seconds_per_120s[preset] = median["total"] / duration * 120
        print(
            f"{preset:>12}: {duration:6.1f} s of audio | compose {median['compose']:.2f} s"
            f" | render+master {median['render']:.2f} s | encode {median['encode']:.2f} s"
            f" | total {median['total']:.2f} s | {duration / median['total']:.1f}x real time"
        )
    slowest = max(seconds_per_120s, key=lambda name: seconds_per_120s[name])
    track120 = seconds_per_120s[slowest]
    print(
        f"slowest preset: {slowest}: 120 s of audio in {track120:.2f} s on one core "
        f"({120 / track120:.1f}x real time)"
    )
    return {"realtime_factor": round(120 / track120, 1), "track120_s": round(track120, 2)}


def bench_batch(work: Path, model_dir: Path, soundfont: Path) -> tuple[float, float]:
    import psutil
    import redis

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "albumvote.settings.dev",
        "DATABASE_URL": bench_database(work),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(work / "media"),
        "COMPOSER_MODEL_DIR": str(model_dir),
        "SOUNDFONT_PATH": str(soundfont),
        "DEBUG": "false",
    }
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    worker = subprocess.Popen(
        celery_worker_command(2, "-n", f"bench-{uuid.uuid4().hex[:6]}@%h"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        parent = psutil.Process(worker.pid)
        while not stop.is_set():
            try:
                processes = [parent, *parent.children(recursive=True)]
                peak[0] = max([peak[0]] + [p.memory_info().rss / 2**20 for p in processes])
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        time.sleep(3)  # let the worker connect before timing
        started = time.perf_counter()
        subprocess.run(
            [PY, "manage.py", "generate_batch", "--count", "20", "--seed", "77", "--wait"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        worker.terminate()
        worker.wait(timeout=30)
    print(
        f"20-track batch with a 2-process worker: {elapsed:.1f} s; worker peak RSS "
        f"{peak[0]:.0f} MB (largest process)"
    )
    return elapsed, peak[0]


def bench_database(work: Path) -> str:
    """A fresh PostgreSQL database of the bench's own on the server BENCH_ADMIN_DB names."""
    fresh_database("albumvote_bench")
    return (
        ADMIN_DB.rsplit("/", 1)[0].replace("postgresql://", "postgres://", 1) + "/albumvote_bench"
    )


if __name__ == "__main__":
    main()
