"""The producer charts: SVG built from known figures, checked by parsing the markup."""

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from curation.arena.selectors import leaderboard_chart
from curation.models import ArenaRating
from curation.producer import charts
from generation.models import Track

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def child_text(root: ET.Element, tag: str) -> str:
    found = root.find(f"{SVG}{tag}")
    assert found is not None and found.text is not None
    return found.text


def attr(element: ET.Element, name: str) -> float:
    return float(element.get(name, "nan"))


def bars(svg: str) -> list[tuple[float, int]]:
    root = parse(svg)
    return [
        (float(rect.get("height", "0")), int(rect.get("data-count", "0")))
        for rect in root.iter(f"{SVG}rect")
        if rect.get("class") == "bar"
    ]


def test_star_bars_are_proportional_to_the_counts_and_accessible():
    chart = charts.rating_distribution_chart([1, 0, 2, 4, 8])
    heights = bars(chart.svg)
    assert [count for _, count in heights] == [1, 0, 2, 4, 8]
    tallest = heights[-1][0]
    assert tallest > 0
    for height, count in heights:
        assert height == pytest.approx(tallest * count / 8, abs=0.01)
    root = parse(chart.svg)
    assert root.get("role") == "img"
    assert child_text(root, "title") == "Rating distribution"
    assert "15 ratings" in child_text(root, "desc")
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "axis-label"]
    assert labels == ["Stars", "Ratings"]
    assert chart.rows[3] == ("4 stars", "4")


def test_no_ratings_draws_empty_bars_not_a_division_by_zero():
    heights = bars(charts.rating_distribution_chart([0, 0, 0, 0, 0]).svg)
    assert [h for h, _ in heights] == [0.0] * 5


def test_a_distribution_needs_five_counts():
    with pytest.raises(ValueError):
        charts.rating_distribution_chart([1, 2, 3])


def test_retention_on_a_known_data_set():
    # Four listeners of a 100 s track: stopped at 10 s, 50 s, 75 s and at the end.
    curve = charts.retention_curve([10.0, 50.0, 75.0, 100.0], 100.0, points=4)
    assert curve == [(0.0, 1.0), (25.0, 0.75), (50.0, 0.75), (75.0, 0.5), (100.0, 0.25)]


def test_retention_is_monotone_non_increasing_and_starts_at_everyone():
    positions = [3.0, 97.0, 12.5, 60.0, 60.0, 0.0, 119.8, 44.0]
    curve = charts.retention_curve(positions, 120.0, points=24)
    shares = [share for _, share in curve]
    assert shares[0] == 1.0
    assert all(a >= b for a, b in itertools.pairwise(shares))
    assert shares[-1] == pytest.approx(1 / 8)  # 119.8 s is within half a second of the end


def test_retention_chart_draws_the_curve_from_top_left_down():
    chart = charts.retention_chart([10.0, 50.0, 75.0, 100.0], 100.0)
    root = parse(chart.svg)
    line = next(p for p in root.iter(f"{SVG}polyline"))
    ys = [float(pair.split(",")[1]) for pair in line.get("points", "").split()]
    assert ys == sorted(ys)  # SVG y grows downwards: the share only falls
    assert chart.rows[0] == ("0:00", "100%")
    assert chart.rows[-1] == ("1:40", "25%")
    assert "4 listeners" in child_text(root, "desc")


def test_retention_without_listeners_says_so():
    chart = charts.retention_chart([], 100.0)
    assert "Nobody has listened" in chart.svg


def test_ratings_over_time_counts_per_day_with_gaps():
    start = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    times = [start, start + timedelta(hours=2), start + timedelta(days=2, hours=1)]
    per, buckets = charts.ratings_over_time(times, bucket="day")
    assert per == "day"
    assert [(at.day, n) for at, n in buckets] == [(1, 2), (2, 0), (3, 1)]


def test_ratings_over_time_counts_per_hour_and_picks_hours_for_a_short_span():
    start = datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    times = [start, start + timedelta(minutes=20), start + timedelta(hours=2)]
    per, buckets = charts.ratings_over_time(times)
    assert per == "hour"
    assert [(at.hour, n) for at, n in buckets] == [(9, 2), (10, 0), (11, 1)]
    chart = charts.ratings_over_time_chart(times)
    assert [count for _, count in bars(chart.svg)] == [2, 0, 1]
    assert chart.rows == [("01 Mar 09:00", "2"), ("01 Mar 10:00", "0"), ("01 Mar 11:00", "1")]


def test_ratings_over_time_keeps_the_latest_buckets():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    times = [start, start + timedelta(days=charts.MAX_BUCKETS + 10)]
    _, buckets = charts.ratings_over_time(times, bucket="day")
    assert len(buckets) == charts.MAX_BUCKETS
    assert buckets[-1][1] == 1


def arena_row(track_id: int, title: str, rating: float, low: float, high: float) -> ArenaRating:
    track = Track(pk=track_id, title=title)
    return ArenaRating(track=track, rating=rating, low=low, high=high, votes=12)


def test_arena_whiskers_span_each_95_percent_interval():
    rows = [
        arena_row(1, "Heron", 1100, 1040, 1160),
        arena_row(2, "Otter", 1000, 900, 1100),
        arena_row(3, "<script>", 950, 930, 970),
    ]
    chart = charts.arena_ci_chart(leaderboard_chart(rows), highlight=2)
    root = parse(chart.svg)
    whiskers = [w for w in root.iter(f"{SVG}line") if w.get("class") == "whisker"]
    dots = [d for d in root.iter(f"{SVG}circle")]
    assert [(w.get("data-low"), w.get("data-high")) for w in whiskers] == [
        ("1040", "1160"),
        ("900", "1100"),
        ("930", "970"),
    ]
    for whisker, dot in zip(whiskers, dots, strict=True):
        x1, x2, cx = attr(whisker, "x1"), attr(whisker, "x2"), attr(dot, "cx")
        assert x1 < cx < x2
    widths = [attr(w, "x2") - attr(w, "x1") for w in whiskers]
    assert widths[1] == pytest.approx(widths[0] * 200 / 120, rel=0.02)  # same scale for all
    current = [g for g in root.iter(f"{SVG}g") if g.get("data-current") == "true"]
    assert len(current) == 1 and "Otter" in ET.tostring(current[0], encoding="unicode")
    assert "<script>" not in chart.svg  # titles are escaped
    assert re.search(r"Arena rating \(Bradley-Terry\)", chart.svg)
    assert chart.rows[0] == ("Heron", "1100 (95%: 1040\u20131160, 12 votes)")


def test_arena_chart_without_ratings_is_still_valid_svg():
    chart = charts.arena_ci_chart(leaderboard_chart([]))
    root = parse(chart.svg)
    assert "No arena ratings" in child_text(root, "desc")


def test_an_arena_rating_that_needs_more_votes_is_labelled_not_drawn():
    unsettled = arena_row(2, "Otter", 1010, -350, 2400)
    unsettled.votes = 2
    rows = [arena_row(1, "Heron", 1100, 1040, 1160), unsettled]
    chart = charts.arena_ci_chart(leaderboard_chart(rows), highlight=2)
    root = parse(chart.svg)
    whiskers = [w for w in root.iter(f"{SVG}line") if w.get("class") == "whisker"]
    assert [(w.get("data-low"), w.get("data-high")) for w in whiskers] == [("1040", "1160")]
    assert len(list(root.iter(f"{SVG}circle"))) == 1
    assert "needs more votes" in chart.svg
    assert "350" not in chart.svg and "2400" not in chart.svg
    assert chart.rows[1] == ("Otter", "needs more votes (2 votes so far)")
