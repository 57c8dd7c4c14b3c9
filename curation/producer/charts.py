"""Server-side charts as inline SVG: pure functions from figures to markup, no JS, no CDN.

Every chart carries <title> and <desc> (named by aria-labelledby), labelled axes, and the
same figures as table rows (`Chart.rows`) for a text fallback under the drawing.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from curation.arena.selectors import leaderboard_chart

WIDTH = 480
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 40  # margins around the plot area
MAX_BUCKETS = 120


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    headers: tuple[str, str]
    rows: list[tuple[str, str]] = field(default_factory=list)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def chart_frame(
    chart_id: str,
    title: str,
    desc: str,
    body: list[str],
    *,
    x_label: str,
    y_label: str,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    plot_bottom = height - BOTTOM
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{plot_bottom}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{plot_bottom}" x2="{width - RIGHT}" '
        f'y2="{plot_bottom}"/>',
        f'<text class="axis-label" x="{(LEFT + width - RIGHT) / 2}" y="{height - 6}" '
        f'text-anchor="middle">{escape(x_label)}</text>',
        f'<text class="axis-label" x="12" y="{(TOP + plot_bottom) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 12 {(TOP + plot_bottom) / 2})">{escape(y_label)}</text>',
        *body,
        "</svg>",
    ]
    return mark_safe("".join(parts))  # every text above is escaped


def _bars(
    labels: list[str], counts: list[int], *, width: int = WIDTH, height: int = HEIGHT
) -> list[str]:
    """Bars whose heights are proportional to the counts (the tallest fills the plot)."""
    plot_h = height - TOP - BOTTOM
    plot_w = width - LEFT - RIGHT
    top = max(counts, default=0)
    slot = plot_w / max(len(counts), 1)
    show_every = max(1, len(labels) // 12)  # keep x labels readable when there are many bars
    body = [
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{top}</text>',
        f'<text class="tick" x="{LEFT - 6}" y="{height - BOTTOM}" text-anchor="end">0</text>',
    ]
    for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
        bar_h = round(plot_h * count / top, 2) if top else 0.0
        x = round(LEFT + i * slot + slot * 0.1, 2)
        y = round(height - BOTTOM - bar_h, 2)
        body.append(
            f'<rect class="bar" x="{x}" y="{y}" width="{round(slot * 0.8, 2)}" '
            f'height="{bar_h}" data-count="{count}"><title>{escape(label)}: {count}</title></rect>'
        )
        if i % show_every == 0:
            body.append(
                f'<text class="tick" x="{round(x + slot * 0.4, 2)}" y="{height - BOTTOM + 14}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return body


# --- rating distribution ---------------------------------------------------------------------


def rating_distribution_chart(counts: list[int], *, chart_id: str = "stars") -> Chart:
    """One bar per star value, 1 to 5 (TrackStats.stars_1..stars_5)."""
    if len(counts) != 5:
        raise ValueError("A star distribution has five counts, for 1 to 5 stars.")
    labels = [f"{k}★" for k in range(1, 6)]
    total = sum(counts)
    desc = (
        f"{total} rating{'s' if total != 1 else ''}: "
        + ", ".join(f"{c} at {k} star{'s' if k > 1 else ''}" for k, c in enumerate(counts, 1))
        + "."
    )
    svg = chart_frame(
        chart_id,
        "Rating distribution",
        desc,
        _bars(labels, counts),
        x_label="Stars",
        y_label="Ratings",
    )
    rows = [(f"{k} star{'s' if k > 1 else ''}", str(c)) for k, c in enumerate(counts, 1)]
    return Chart(svg=svg, headers=("Stars", "Ratings"), rows=rows)


# --- listen retention --------------------------------------------------------------------------


def retention_curve(
    max_positions: list[float], duration_s: float, *, points: int = 20
) -> list[tuple[float, float]]:
    """(seconds into the track, share of its listeners who got at least that far).

    Input: each listener's furthest position (ListenerTrack.max_position_s), not a replay of
    ListeningEvent rows. The row is kept current as events arrive, so the curve costs one
    query over listeners instead of one over every event, and a listener who played the
    track several times counts once, at their furthest point. The price: a seek forward
    counts as having reached that point. A share at time t counts listeners whose furthest
    position is >= t, so the curve starts at 1 and can only fall (non-increasing).
    """
    if points < 1 or duration_s <= 0:
        return []
    listeners = len(max_positions)
    curve = []
    for i in range(points + 1):
        at = duration_s * i / points
        # A listener stopped by the player within half a second of the end has finished.
        reached = sum(1 for p in max_positions if p >= at or p >= duration_s - 0.5)
        curve.append((round(at, 2), reached / listeners if listeners else 0.0))
    return curve


def retention_chart(
    max_positions: list[float], duration_s: float | None, *, chart_id: str = "retention"
) -> Chart:
    curve = retention_curve(max_positions, duration_s or 0.0)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    body = [
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">100%</text>',
        f'<text class="tick" x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" text-anchor="end">0%</text>',
    ]
    if curve and duration_s:
        coords = " ".join(
            f"{round(LEFT + at / duration_s * plot_w, 2)},{round(TOP + (1 - share) * plot_h, 2)}"
            for at, share in curve
        )
        body.append(f'<polyline class="line" fill="none" points="{coords}"/>')
        body.append(
            f'<text class="tick" x="{WIDTH - RIGHT}" y="{HEIGHT - BOTTOM + 14}" '
            f'text-anchor="end">{escape(_clock(duration_s))}</text>'
        )
    listeners = len(max_positions)
    if not curve or not listeners:
        desc = "Nobody has listened to this track yet."
    else:
        half = next((at for at, share in curve if share < 0.5), None)
        desc = f"{listeners} listener{'s' if listeners != 1 else ''}; " + (
            f"fewer than half were still listening at {_clock(half)}."
            if half is not None
            else "at least half listened to the end."
        )
    svg = chart_frame(
        chart_id,
        "Listen retention",
        desc,
        body,
        x_label="Time into the track",
        y_label="Still listening",
    )
    rows = [(_clock(at), f"{round(share * 100)}%") for at, share in curve]
    return Chart(svg=svg, headers=("Time", "Still listening"), rows=rows)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


# --- ratings over time -------------------------------------------------------------------------


def ratings_over_time(
    times: list[datetime], *, bucket: str = "auto"
) -> tuple[str, list[tuple[datetime, int]]]:
    """("hour" or "day", ratings per bucket), every bucket from the first to the last, gaps
    as 0.

    `auto` picks hours for the first two days of ratings, days after that. At most
    MAX_BUCKETS buckets: older ones are dropped, the most recent kept.
    """
    if bucket == "auto":
        bucket = "hour" if times and max(times) - min(times) <= timedelta(hours=48) else "day"
    if bucket not in ("hour", "day"):
        raise ValueError("bucket is 'hour', 'day' or 'auto'.")
    if not times:
        return bucket, []
    step = timedelta(hours=1) if bucket == "hour" else timedelta(days=1)

    def floor(moment: datetime) -> datetime:
        moment = moment.replace(minute=0, second=0, microsecond=0)
        return moment if bucket == "hour" else moment.replace(hour=0)

    counts = Counter(floor(t) for t in times)
    start, end = min(counts), max(counts)
    buckets = []
    at = start
    while at <= end:
        buckets.append((at, counts.get(at, 0)))
        at += step
    return bucket, buckets[-MAX_BUCKETS:]


def ratings_over_time_chart(
    times: list[datetime], *, bucket: str = "auto", chart_id: str = "ratings-time"
) -> Chart:
    per, buckets = ratings_over_time(times, bucket=bucket)
    fmt = "%d %b %H:00" if per == "hour" else "%d %b"
    labels = [at.strftime(fmt) for at, _ in buckets]
    counts = [count for _, count in buckets]
    if buckets:
        busiest = max(buckets, key=lambda b: b[1])
        desc = (
            f"{sum(counts)} ratings over {len(buckets)} {per}s; the busiest {per} was "
            f"{busiest[0].strftime(fmt)} with {busiest[1]}."
        )
    else:
        desc = "No ratings yet."
    svg = chart_frame(
        chart_id,
        f"Ratings per {per}",
        desc,
        _bars(labels, counts),
        x_label=f"{per.capitalize()} (UTC)",
        y_label="New ratings",
    )
    return Chart(
        svg=svg,
        headers=(per.capitalize(), "New ratings"),
        rows=list(zip(labels, map(str, counts), strict=True)),
    )


# --- arena ratings with 95% intervals ---------------------------------------------------------


def arena_ci_chart(
    geometry: dict[str, Any], *, highlight: int | None = None, chart_id: str = "arena"
) -> Chart:
    """Draw curation.arena.selectors.leaderboard_chart's geometry: a dot per track at its
    Bradley-Terry rating and a whisker across its bootstrap 95% interval, or "needs more votes"
    where the arena's rule says the interval means nothing yet."""
    width = geometry["width"]
    height = max(geometry["height"], 60)
    left = geometry.get("left", 170)
    body: list[str] = []
    for tick in geometry["ticks"]:
        body.append(
            f'<line class="grid" x1="{tick["x"]}" x2="{tick["x"]}" y1="0" y2="{height - 22}"/>'
            f'<text class="tick" x="{tick["x"]}" y="{height - 6}" text-anchor="middle">'
            f"{tick['label']}</text>"
        )
    for row in geometry["rows"]:
        mark = ' data-current="true"' if row["track_id"] == highlight else ""
        y = row["y"]
        label = (
            f'<text class="label" x="{left - 10}" y="{y + 4}" text-anchor="end">'
            f"{escape(truncate(row['title'], 22))}</text>"
        )
        if not row["meaningful"]:
            # The arena's rule: an interval this uncertain is not drawn (it would squash the
            # others' scale); the row says why instead.
            body.append(
                f'<g class="ci-row needs-votes{" is-current" if mark else ""}"{mark}>{label}'
                f'<text class="note" x="{left}" y="{y + 4}">needs more votes</text></g>'
            )
            continue
        body.append(
            f'<g class="ci-row{" is-current" if mark else ""}"{mark}>{label}'
            f'<line class="whisker" x1="{row["x_low"]}" x2="{row["x_high"]}" y1="{y}" y2="{y}"'
            f' data-low="{row["low"]}" data-high="{row["high"]}"/>'
            f'<line class="whisker-cap" x1="{row["x_low"]}" x2="{row["x_low"]}" y1="{y - 5}" '
            f'y2="{y + 5}"/>'
            f'<line class="whisker-cap" x1="{row["x_high"]}" x2="{row["x_high"]}" y1="{y - 5}" '
            f'y2="{y + 5}"/>'
            f'<circle class="dot" cx="{row["x"]}" cy="{y}" r="4" data-rating="{row["rating"]}">'
            f"<title>{escape(row['title'])}: {row['rating']} ({row['interval']})"
            "</title></circle></g>"
        )
    rows = [
        (
            row["title"],
            f"{row['rating']} (95%: {row['interval']}, {row['votes']} votes)"
            if row["meaningful"]
            else f"needs more votes ({row['votes']} votes so far)",
        )
        for row in geometry["rows"]
    ]
    waiting = sum(1 for row in geometry["rows"] if not row["meaningful"])
    desc = (
        f"Arena ratings of {len(rows)} tracks of this batch, each with its 95% interval"
        + (f" ({waiting} need more votes)." if waiting else ".")
        if rows
        else "No arena ratings for this batch yet."
    )
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {width} {height + 16}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">Arena ratings with 95% intervals</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
        *body,
        f'<text class="axis-label" x="{(left + width) / 2}" y="{height + 12}" '
        'text-anchor="middle">Arena rating (Bradley-Terry)</text>',
        "</svg>",
    ]
    svg = mark_safe("".join(parts))  # every text above is escaped
    return Chart(svg=svg, headers=("Track", "Rating"), rows=rows)


def arena_batch_chart(rows: list[Any], *, highlight: int | None = None) -> Chart | None:
    """A batch's arena ratings (curation.producer.selectors.batch_arena, each marked
    `meaningful`), or None while none of them means anything yet."""
    if not any(row.meaningful for row in rows):
        return None
    return arena_ci_chart(leaderboard_chart(rows), highlight=highlight)


def truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
