"""bench/group_costs.py in a few groups: it calls the service the socket path's group commit
calls, every vote a new pair, and reports PostgreSQL's CPU per rating for each group size (how
much is the bench's to say, not this test's)."""

import pytest

from tests.benches import run_bench

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("postgres_required")]


def test_a_quick_run_reports_each_group_size():
    # Non-zero when a vote is refused: each must be stored as a rating.
    figures = run_bench("group_costs.py", "--ratings", "32", "--sizes", "1,16", timeout=300)
    assert [g["group"] for g in figures["groups"]] == [1, 16], figures
    for group in figures["groups"]:
        assert group["ratings"] == 32, figures
        assert {"pg_backend_us", "python_us", "wall_us"} <= set(group), figures
