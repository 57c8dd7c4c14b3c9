"""Figures the benches compute: percentiles, and where the CPU goes while a bench runs."""

import threading
import time

import psutil


def percentile(values: list[float], q: float) -> float:
    """The value at 0-based rank int(q * n) of the sorted values (the last for q = 1); nan for
    none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


class CpuSampler:
    """Where the cores go between `start` and `stop` (times as time.time()): CPU share per kind
    of process, summed over every process on the machine."""

    KINDS = (
        ("gunicorn", "gunicorn"),
        ("uvicorn", "uvicorn"),
        ("postgres", "postgres"),
        ("redis", "redis-server"),
        ("load generator", "multiprocessing"),
    )

    def __init__(self, start: float, stop: float) -> None:
        self.shares: dict[str, float] = {}
        self.thread = threading.Thread(target=self._sample, args=(start, stop), daemon=True)
        self.thread.start()

    def _sample(self, start: float, stop: float) -> None:
        time.sleep(max(0.0, start - time.time()))
        before = {p.pid: (p, p.cpu_times()) for p in psutil.process_iter()}
        began = time.time()
        time.sleep(max(0.1, stop - time.time()))
        elapsed = time.time() - began
        for process, times in before.values():
            try:
                now = process.cpu_times()
                # uvicorn's workers are spawned children: name them after their parent.
                command = " ".join(" ".join(p.cmdline()) for p in [process, *process.parents()[:2]])
            except psutil.Error:
                continue
            used = (now.user + now.system - times.user - times.system) / elapsed * 100
            kind = next((k for k, needle in self.KINDS if needle in command), "other")
            self.shares[kind] = self.shares.get(kind, 0.0) + used

    def report(self, doing: str) -> None:
        self.thread.join()
        parts = [
            f"{kind} {share:.0f}%"
            for kind, share in sorted(self.shares.items(), key=lambda item: -item[1])
            if share >= 1
        ]
        print(f"CPU while {doing} (100% = one core): " + ", ".join(parts))
