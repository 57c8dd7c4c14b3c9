"""HTTP load from Debian's wrk for bench/votes.py: raters posting ratings (bench/wrk_rate.lua)
and the trivial view for the ceiling. wrk is compiled: its own CPU per request is a small
part of the server's, where the Python raters it replaces took about 40% of a core."""

import json
import re
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk_rate.lua")
# After the last rating is sent: time for the answers in flight to come back before wrk stops.
DRAIN_S = 4.0


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    return found


@dataclass
class HttpRun:
    """What wrk saw: requests sent and answered, accepted (2xx) and refused ones by error code,
    latency percentiles over every answer, and each accepted rating as (time, track, version)."""

    sent: int
    answered: int
    accepted: int
    refused: int
    late: int  # sent after the stop time (wrk skipped delay() after a reconnect)
    refusals: dict[str, int]
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    ratings: list[tuple[float, int, int]] = field(repr=False)
    cpu_s: float = 0.0  # wrk's own CPU


def rate(
    port: int,
    tracks: list[int],
    cookies: list[str],
    csrf: str,
    connections: int,
    threads: int,
    start_at: float,
    seconds: float,
    work: Path,
) -> HttpRun:
    """Rates from `start_at` for `seconds` through `connections` keep-alive connections, each
    (listener, track) pair at most once; the answers in flight come back before it returns."""
    plan, out = work / "wrk-plan.txt", work / "wrk-rated"
    lines = [repr(start_at + seconds), csrf, " ".join(map(str, tracks)), *cookies]
    plan.write_text("\n".join(lines) + "\n")
    time.sleep(max(0.0, start_at - time.time()))
    command = [
        wrk_binary(),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds + DRAIN_S:.0f}s",
        "--timeout",
        "30s",
        "-s",
        str(SCRIPT),
        f"http://127.0.0.1:{port}",
        "--",
        str(plan),
        str(out),
        str(threads),
    ]
    # wrk's own CPU: the children's usage grows by its share when it is reaped.
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.communicate()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = usage.ru_utime + usage.ru_stime - reaped.ru_utime - reaped.ru_stime
    line = next((x for x in stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if process.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({process.returncode}): {stdout[-2000:]}{stderr[-2000:]}")
    summary = json.loads(line.removeprefix("WRK_JSON "))
    refusals: dict[str, int] = {}
    for part in summary["refusals"]:
        for code, count in part.items():
            refusals[code] = refusals.get(code, 0) + count
    ratings = []
    for n in range(threads):
        for row in Path(f"{out}-{n}.txt").read_text().splitlines():
            at, track, version = row.split()
            ratings.append((float(at), int(track), int(version)))
    return HttpRun(
        # wrk builds one request in its first thread to check it, and never sends it.
        sent=summary["sent"] - 1,
        answered=summary["answered"],
        accepted=summary["accepted"],
        refused=summary["refused"],
        late=summary["late"],
        refusals=refusals,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        max_ms=summary["max_us"] / 1000,
        errors=summary["errors"],
        ratings=ratings,
        cpu_s=cpu_s,
    )


def ceiling(port: int, connections: int, threads: int, seconds: float) -> float:
    """Requests per second of the trivial view (/ping) through the same server."""
    run = subprocess.run(
        [
            wrk_binary(),
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds:.0f}s",
            f"http://127.0.0.1:{port}/ping",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout)
    if found is None:
        raise SystemExit(f"wrk printed no rate: {run.stdout[-2000:]}")
    return float(found.group(1))
