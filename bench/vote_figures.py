"""bench/votes.py's figures from what its clients recorded: delivery to the listeners, the
check that every acknowledged rating is stored, and the one JSON line of issue 13's table."""

import bisect
from dataclasses import dataclass, field

from bench.cpu_use import PARTS, Use
from bench.figures import percentile

Rated = tuple[float, int, int]  # an acknowledged rating: answered at (time.time()), track, version


@dataclass
class PathRun:
    """One path's phase (HTTP through wrk, or rate frames over sockets)."""

    path: str
    seconds: float  # the rating window (answers in flight come back after it)
    sent: int
    accepted: int
    refused: int
    refusals: dict[str, int]
    unanswered: int  # sent, never answered (timeouts, dropped connections)
    p50_ms: float
    p99_ms: float
    stored: int  # rows of curation_rating from this phase's listeners
    lost: int  # acknowledged, not stored
    use: Use
    rated: list[Rated] = field(repr=False)
    delivery: list[float] = field(default_factory=list, repr=False)

    @property
    def per_s(self) -> float:
        return self.accepted / self.seconds

    def server_cpu_us(self) -> dict[str, float]:
        return {part: self.use.parts[part] / max(1, self.accepted) * 1e6 for part in PARTS}


def listener_index(listened: list[dict]) -> tuple[dict[int, list[list[tuple[int, float]]]], int]:
    """Per track, each subscribed socket's events as (version, earliest arrival of that version
    or any later one) sorted by version; and how many sockets were subscribed."""
    per_track: dict[int, list[list[tuple[int, float]]]] = {}
    subscribed = 0
    for result in listened:
        for track, ok, seen in zip(
            result["tracks"], result["subscribed"], result["seen"], strict=True
        ):
            if not ok:
                continue
            subscribed += 1
            events = sorted((version, arrived) for arrived, version in seen)
            suffix: list[tuple[int, float]] = []
            best = float("inf")
            for version, arrived in reversed(events):
                best = min(best, arrived)
                suffix.append((version, best))
            suffix.reverse()
            per_track.setdefault(track, []).append(suffix)
    return per_track, subscribed


def deliveries(rated: list[Rated], per_track: dict[int, list[list[tuple[int, float]]]]) -> list:
    """Per (acknowledged rating, listener subscribed to its track): ms from the answer to the
    listener's first event showing that version or a later one; inf when none came."""
    latencies = []
    for answered, track, version in rated:
        for suffix in per_track.get(track, []):
            index = bisect.bisect_left(suffix, (version, -1.0))
            if index < len(suffix):
                latencies.append(max(0.0, suffix[index][1] - answered) * 1000)
            else:
                latencies.append(float("inf"))
    return latencies


def report(run: PathRun, cores: int) -> None:
    delivered = [d for d in run.delivery if d != float("inf")]
    cpu = run.server_cpu_us()
    use = run.use
    server = sum(use.parts.values())
    print(
        f"{run.path}: {run.accepted} ratings acknowledged in {run.seconds:.0f} s "
        f"({run.per_s:.0f}/s), {run.refused} refused {run.refusals or ''}, "
        f"{run.unanswered} unanswered; latency p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms"
    )
    print(
        f"  stored in PostgreSQL: {run.stored} (lost {run.lost}); delivery over "
        f"{len(run.delivery)} rating-listener pairs ({len(run.delivery) - len(delivered)} "
        f"never delivered): p50 {percentile(run.delivery, 0.5):.1f} ms, "
        f"p99 {percentile(run.delivery, 0.99):.1f} ms"
    )
    print(
        f"  server CPU per rating: {sum(cpu.values()):.0f} us ("
        + ", ".join(f"{part} {us:.0f}" for part, us in cpu.items())
        + f"); load generator (raters and listeners) "
        f"{use.loadgen / max(1, run.accepted) * 1e6:.0f} us per rating, "
        f"{use.loadgen / use.seconds * 100:.0f}% of one core; the machine's {cores} cores "
        f"{use.machine_busy / use.seconds / cores * 100:.0f}% busy, of which neither "
        f"{max(0.0, use.machine_busy - server - use.loadgen) / use.seconds * 100:.0f}% of a core"
    )


def path_figures(run: PathRun) -> dict[str, float | int]:
    use = run.use
    server = sum(use.parts.values())
    return {
        "ratings_per_s": round(run.per_s),
        "p50_rating_ms": round(run.p50_ms, 1),
        "p99_rating_ms": round(run.p99_ms, 1),
        "p50_delivery_ms": round(percentile(run.delivery, 0.5), 1),
        "p99_delivery_ms": round(percentile(run.delivery, 0.99), 1),
        "server_cpu_us_per_rating": round(sum(run.server_cpu_us().values())),
        # Of the CPU the run cost (server side and load generator), the load generator's.
        "loadgen_cpu_share": round(use.loadgen / max(1e-9, use.loadgen + server), 3),
        "lost": run.lost,
    }


def table(runs: list[PathRun], listeners: int, ceiling: float) -> dict:
    """Issue 13's keys for the best path (most ratings per second), then each path's own."""
    by_path = {run.path: path_figures(run) for run in runs}
    best = max(runs, key=lambda run: run.per_s)
    figures: dict = {
        **{k: v for k, v in by_path[best.path].items() if k != "lost"},
        "best_path": best.path,
        "http_ratings_per_s": by_path.get("http", {}).get("ratings_per_s"),
        "socket_ratings_per_s": by_path.get("socket", {}).get("ratings_per_s"),
        "listeners": listeners,
        "lost": sum(run.lost for run in runs),
        "acknowledged": sum(run.accepted for run in runs),
        "stored": sum(run.stored for run in runs),
        "ceiling_per_s": round(ceiling),
        "recommended_mix": recommend(by_path),
        "paths": by_path,
    }
    return figures


def recommend(by_path: dict[str, dict]) -> str:
    if "socket" not in by_path or "http" not in by_path:
        return "only one path measured"
    socket, http = by_path["socket"], by_path["http"]
    if socket["ratings_per_s"] >= http["ratings_per_s"] and (
        socket["server_cpu_us_per_rating"] <= http["server_cpu_us_per_rating"]
    ):
        return "socket for pages with an open socket; HTTP for API clients and as the fallback"
    return "HTTP: the socket path did not beat it here"
