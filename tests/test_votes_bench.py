"""bench/votes.py --quick, as CI runs it: wrk rates over HTTP, sockets rate over /ws/live/,
listeners receive the updates, and every acknowledged rating is a row in PostgreSQL. The JSON
line carries every figure of issue 13's table (how fast is the bench's to say, not this test's).
"""

import shutil

import pytest

from tests.benches import run_bench
from tests.conftest import require_service

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("postgres_required")]

KEYS = (
    "ratings_per_s",
    "http_ratings_per_s",
    "socket_ratings_per_s",
    "p50_rating_ms",
    "p99_rating_ms",
    "p50_delivery_ms",
    "p99_delivery_ms",
    "listeners",
    "lost",
    "server_cpu_us_per_rating",
    "loadgen_cpu_share",
    "ceiling_per_s",
    "recommended_mix",
)


def test_a_quick_run_rates_over_both_paths_and_loses_nothing():
    require_service("wrk (apt-get install wrk)", shutil.which("wrk") is not None)
    # Non-zero also when the acknowledged ratings and the stored rows differ.
    figures = run_bench("votes.py", "--quick", timeout=600)
    assert set(KEYS) <= set(figures), figures
    assert figures["lost"] == 0 and figures["acknowledged"] == figures["stored"], figures
    for path in ("http", "socket"):
        assert figures[f"{path}_ratings_per_s"] > 0, figures
        # Every listener of a rated track saw an update within the run.
        assert figures["paths"][path]["p99_delivery_ms"] < 30_000, figures
    assert figures["listeners"] == 40, figures
