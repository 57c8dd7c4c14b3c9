"""A minute of bench/soak.py, as CI runs it: mixed traffic (listening, rating, the arena,
pages, the API, websockets, batches) on the production set-up costs nothing — no errors, no
memory growth, PostgreSQL connections within the pool's bound, no scratch files left behind.
The 20-minute soak stays a bench."""

import pytest

from tests.benches import run_bench

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.usefixtures("postgres_required")]


def test_a_minute_of_mixed_traffic_costs_nothing(composer_model_dir):
    figures = run_bench(
        "soak.py",
        "--seconds",
        "60",
        "--sockets",
        "100",
        "--batch-every",
        "30",
        "--model-dir",
        str(composer_model_dir),
        timeout=900,
    )
    assert figures["errors"] == 0, figures
    assert figures["requests"] > 100, figures
    assert figures["websocket_messages"] > 0, figures
    assert all(growth <= 10 for growth in figures["rss_growth_pct"].values()), figures
    assert figures["pg_connections_end"] <= figures["pg_connections_bound"], figures
    assert figures["scratch_left"] == [], figures
