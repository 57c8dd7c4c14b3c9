"""A minute of bench/soak.py, as CI runs it: mixed traffic (listening, rating, the arena,
pages, the API, websockets, batches) on the production set-up costs nothing — no errors, no
memory growth, PostgreSQL connections within the pool's bound, no scratch files left behind.
The 20-minute soak stays a bench."""

import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.conftest import TEST_REDIS_URL, database_url
from tests.servers import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.usefixtures("postgres_required")]


def test_a_minute_of_mixed_traffic_costs_nothing(composer_model_dir):
    # A database of its own beside this run's test database (runs side by side don't meet).
    db = connection.settings_dict
    own_database = {**db, "NAME": f"{db['TEST'].get('NAME') or 'test_' + db['NAME']}_soak"}
    run = subprocess.run(
        [
            sys.executable,
            "bench/soak.py",
            "--seconds",
            "60",
            "--sockets",
            "100",
            "--batch-every",
            "30",
            "--database-url",
            database_url(own_database),
            "--redis-url",
            TEST_REDIS_URL,
            "--model-dir",
            str(composer_model_dir),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["errors"] == 0, figures
    assert figures["requests"] > 100, figures
    assert figures["websocket_messages"] > 0, figures
    assert all(growth <= 10 for growth in figures["rss_growth_pct"].values()), figures
    assert figures["pg_connections_end"] <= figures["pg_connections_bound"], figures
    assert figures["scratch_left"] == [], figures
