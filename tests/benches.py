"""A bench run as a test: `bench/<script>` in a database of its own beside this run's test
database (runs side by side don't meet) and on the tests' Redis database; it must exit 0, and
its figures are the JSON line it ends with."""

import json
import subprocess
import sys
from typing import Any

from django.db import connection

from tests.conftest import TEST_REDIS_URL, database_url
from tests.servers import ROOT


def run_bench(script: str, *args: str, timeout: float) -> dict[str, Any]:
    db = connection.settings_dict
    name = script.removesuffix(".py")
    own_database = {**db, "NAME": f"{db['TEST'].get('NAME') or 'test_' + db['NAME']}_{name}"}
    run = subprocess.run(
        [
            sys.executable,
            f"bench/{script}",
            *args,
            "--database-url",
            database_url(own_database),
            "--redis-url",
            TEST_REDIS_URL,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return figures
