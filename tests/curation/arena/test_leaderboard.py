"""The arena leaderboard: an axis for any spread of ratings, and "needs more votes" (not an
interval like "1000 (-2108 to 4108)") while a track's interval says nothing yet."""

import itertools
import math

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from curation.arena import selectors
from curation.arena.selectors import (
    MAX_INTERVAL_WIDTH,
    MIN_INTERVAL_VOTES,
    arena_interval_is_meaningful,
    arena_interval_label,
    axis_ticks,
)
from curation.models import ArenaRating, ArenaVote, Listener
from curation.tasks import fit_arena
from tests.factories import GenerationBatchFactory, ReadyTrackFactory


def rate(track, rating, low, high, votes):
    return ArenaRating.objects.create(
        track=track, rating=rating, low=low, high=high, votes=votes, computed_at=timezone.now()
    )


@pytest.fixture
def batch_tracks():
    batch = GenerationBatchFactory.create()
    return batch, [ReadyTrackFactory.create(batch=batch, title=f"Song {n}") for n in range(3)]


# --- the axis ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_draws_after_a_batchs_first_vote(client, batch_tracks):
    """One vote leaves intervals about 6,000 points wide: the axis used to find no step for
    that (StopIteration, which hung the page under ASGI)."""
    batch, (one, two, _) = batch_tracks
    ArenaVote.objects.create(
        listener=Listener.objects.create(proven_at=timezone.now()),
        track_a=one,
        track_b=two,
        outcome="a",
    )
    fit_arena(batch_id=batch.pk)
    assert max(r.high - r.low for r in ArenaRating.objects.all()) > 5000
    response = client.get("/arena/", {"batch": batch.pk})
    assert response.status_code == 200
    assert Client().get("/api/v1/arena/leaderboard/", {"batch": batch.pk}).status_code == 200


@pytest.mark.django_db
def test_the_chart_has_ticks_for_an_interval_6000_wide(batch_tracks):
    _, (one, two, _) = batch_tracks
    # Two settled ratings 6,000 points apart (the old steps stopped at 6 x 500).
    rows = [rate(one, 4000, 3900, 4100, 40), rate(two, -1800, -1900, -1700, 40)]
    chart = selectors.leaderboard_chart(rows)
    labels = [tick["label"] for tick in chart["ticks"]]
    assert labels == ["\u22121000", "0", "1000", "2000", "3000", "4000"]
    xs = [tick["x"] for tick in chart["ticks"]]
    assert xs == sorted(xs) and chart["left"] <= xs[0] and xs[-1] <= chart["width"]


NICE_MANTISSAS = (1.0, 2.0, 2.5, 5.0)


@given(
    low=st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
    span=st.floats(min_value=1e-3, max_value=1e7, allow_nan=False),
)
def test_axis_ticks_are_a_few_nice_numbers_inside_any_range(low, span):
    high = low + span
    step, ticks = axis_ticks(low, high)
    # What a double can resolve at these magnitudes (8,122,808.2645 is only so exact).
    slack = max(span * 1e-9, 4 * math.ulp(max(abs(low), abs(high))))
    assert all(low - slack <= tick <= high + slack for tick in ticks)
    assert 2 <= len(ticks) <= 8
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, nice, rel_tol=1e-9) for nice in NICE_MANTISSAS)
    assert all(
        math.isclose(b - a, step, rel_tol=1e-6, abs_tol=slack) for a, b in itertools.pairwise(ticks)
    )


def test_typical_ranges_get_four_to_six_ticks():
    for low, high in ((940, 1060), (0.2, 0.9), (-2108, 4108), (990, 1010), (1, 1e6)):
        assert 4 <= len(axis_ticks(low, high)[1]) <= 6, (low, high)


# --- "needs more votes" -----------------------------------------------------------------------


def test_the_rule_needs_enough_votes_and_a_narrow_enough_interval():
    def row(votes, low, high):
        return ArenaRating(rating=(low + high) / 2, low=low, high=high, votes=votes)

    assert arena_interval_is_meaningful(row(MIN_INTERVAL_VOTES, 900, 1100))
    assert not arena_interval_is_meaningful(row(MIN_INTERVAL_VOTES - 1, 900, 1100))
    assert not arena_interval_is_meaningful(row(1, -2108, 4108))
    assert not arena_interval_is_meaningful(row(500, 1000, 1001 + MAX_INTERVAL_WIDTH))
    assert arena_interval_is_meaningful(row(500, 1000, 1000 + MAX_INTERVAL_WIDTH))


def test_an_interval_below_zero_is_never_written_like_a_range_of_dashes():
    assert arena_interval_label(940.4, 1060.6) == "940\u20131061"
    assert arena_interval_label(-40, 360) == "\u221240 to 360"  # not "-40\u2013360"


@pytest.mark.django_db
def test_the_page_says_needs_more_votes_instead_of_a_wide_interval(client, batch_tracks):
    batch, (one, two, three) = batch_tracks
    rate(one, 1000, -2108, 4108, 1)  # one vote: says nothing yet
    rate(two, 1200, 1120, 1280, 40)
    rate(three, 800, 730, 870, 40)
    page = client.get("/arena/", {"batch": batch.pk}).content.decode()
    assert "2108" not in page and "4108" not in page
    assert page.count('class="ci"') == 2 and page.count('class="point"') == 2
    assert page.count('class="needs-votes"') == 2  # in the plot and in the table
    assert "Song 0: needs more votes (1 vote)" in page
    # Ranked tracks first, best first; the unsettled one after them.
    assert page.index("Song 1") < page.index("Song 2") < page.index("Song 0")
    # The rule, in words, beside the leaderboard.
    assert f"at least {MIN_INTERVAL_VOTES} counted votes" in page
    assert f"at most {MAX_INTERVAL_WIDTH:.0f} points wide" in page


@pytest.mark.django_db
def test_the_api_marks_entries_that_need_more_votes(batch_tracks):
    batch, (one, two, _) = batch_tracks
    rate(one, 1000, -2108, 4108, 1)
    rate(two, 1200, 1120, 1280, 40)
    board = Client().get("/api/v1/arena/leaderboard/", {"batch": batch.pk}).json()
    assert [(e["track"]["id"], e["needs_more_votes"]) for e in board] == [
        (two.pk, False),
        (one.pk, True),
    ]
    assert board[0]["ci95"] == [1120.0, 1280.0] and board[0]["votes"] == 40


@pytest.mark.django_db
def test_the_schema_documents_needs_more_votes(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    standing = schema["components"]["schemas"]["ArenaStanding"]
    assert standing["properties"]["needs_more_votes"]["type"] == "boolean"
    assert "needs_more_votes" in standing["required"]
    assert str(MIN_INTERVAL_VOTES) in standing["properties"]["needs_more_votes"]["description"]


@pytest.mark.django_db
def test_while_every_track_needs_more_votes_only_the_table_shows(client, batch_tracks):
    batch, (one, two, _) = batch_tracks
    rate(one, 1100, -2000, 4200, 1)
    rate(two, 900, -2200, 4000, 1)
    page = client.get("/arena/", {"batch": batch.pk}).content.decode()
    assert "arena-chart" not in page
    assert page.count('<span class="needs-votes">needs more votes</span>') == 2
