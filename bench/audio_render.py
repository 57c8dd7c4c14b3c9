"""Benchmark of the audio pipeline on a dense 120 s piece; prints figures, asserts nothing.

Run: .venv/bin/python bench/audio_render.py [--all-cores] [--runs 5]
It renders the synthetic dense piece the audio tests use, so it isolates the audio pipeline
from the composer (bench/generation.py measures both together).
By default the process, and so ffmpeg, is pinned to one core, which is the budget the
pipeline must meet (>= 25x real time including composing).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

# Run as a script, this folder comes first on sys.path; the project root must be.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from generation.audio import render_midi  # noqa: E402
from tests.generation.audio.pieces import dense_piece  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all-cores", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=120.0)
    options = parser.parse_args()
    if not options.all_cores:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    started = time.perf_counter()
    midi = dense_piece(options.seconds)
    build_s = time.perf_counter() - started
    notes = sum(len(inst.notes) for inst in midi.instruments)
    print(f"piece: {notes} notes, {midi.get_end_time():.1f} s, built in {build_s:.3f} s")

    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(options.runs):
            before = os.times()
            result = render_midi(
                midi, opus_path=Path(folder, "a.opus"), mp3_path=Path(folder, "a.mp3")
            )
            after = os.times()
            # CPU seconds of this process and ffmpeg: what a run costs on one core even
            # when other work on the machine stretches the wall clock.
            cpu = sum(
                getattr(after, field) - getattr(before, field)
                for field in ("user", "system", "children_user", "children_system")
            )
            runs.append({**result.timings, "cpu": cpu})
            figures = " ".join(f"{k}={v:.3f}" for k, v in runs[-1].items())
            print(f"run {run + 1}: {figures}")
        sizes = {p.name: p.stat().st_size for p in Path(folder).iterdir()}
        # Memory is sampled in a run of its own: the sampler would steal the one core.
        watcher = RssWatcher()
        watcher.start()
        render_midi(midi, opus_path=Path(folder, "a.opus"), mp3_path=Path(folder, "a.mp3"))
        watcher.running = False
    duration = result.duration_s
    print(
        f"audio: {duration:.1f} s, {result.loudness_lufs} LUFS, peak {result.peak_dbfs} dBFS, "
        f"energy {result.energy}, files {sizes}"
    )
    medians = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print("median: " + " ".join(f"{k}={v:.3f}" for k, v in medians.items()))
    print(f"real-time factor (render+master+encode+analysis): {duration / medians['total']:.1f}x")
    print(f"by CPU time (python + ffmpeg): {duration / medians['cpu']:.1f}x")
    print(f"with 0.3 s of composing: {duration / (medians['total'] + 0.3):.1f}x")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(
        f"peak RSS: python process {own:.0f} MB; python + ffmpeg sampled together "
        f"{watcher.peak / 2**20:.0f} MB"
    )


class RssWatcher(threading.Thread):
    """Samples the RSS of this process plus its children (ffmpeg) every 10 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.running = True

    def run(self) -> None:
        me = psutil.Process()
        while self.running:
            try:
                total = me.memory_info().rss + sum(
                    child.memory_info().rss for child in me.children(recursive=True)
                )
            except psutil.Error:
                continue  # a child exited between listing and reading
            self.peak = max(self.peak, total)
            time.sleep(0.01)


if __name__ == "__main__":
    main()
