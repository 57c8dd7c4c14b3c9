"""PostgreSQL connections under the ASGI server stay bounded (issue 11 §3.1): seen, with
CONN_MAX_AGE=60 each request's thread kept a connection of its own; 200 requests left 60
idle connections and a rating run hit `too many clients already`."""

import concurrent.futures
import urllib.request
from collections.abc import Callable

import psycopg
import pytest
from django.db import connection

from tests.conftest import database_url
from tests.factories import ReadyTrackFactory

pytestmark = pytest.mark.django_db(transaction=True)

POOL = 4


def open_connections() -> int:
    name = connection.settings_dict["NAME"]
    admin = database_url({**connection.settings_dict, "NAME": "postgres"})
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_sustained_concurrent_requests_hold_connections_at_the_pool_size(
    start_site: Callable[..., str],
) -> None:
    ReadyTrackFactory.create_batch(3)
    # As production configures it: connections kept for a minute.
    site = start_site(CONN_MAX_AGE="60", DB_POOL_SIZE=str(POOL))
    before = open_connections()

    def get(n: int) -> int:
        path = "/api/v1/tracks/" if n % 2 else "/tracks/"
        with urllib.request.urlopen(f"{site}{path}", timeout=30) as response:
            return response.status

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as threads:
        statuses = list(threads.map(get, range(200)))
    assert set(statuses) == {200}
    # The server's connections: at most its pool (the test's own was counted before).
    assert open_connections() - before <= POOL
