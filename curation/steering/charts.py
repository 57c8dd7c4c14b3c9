"""The steering page's charts, drawn as the producer pages draw theirs (curation.producer.charts:
inline SVG with a title, a description and the same figures as table rows): each effect with
its 90% interval, predicted against actual on held-out tracks, and the steering history."""

from typing import Any

from django.utils.html import escape
from django.utils.safestring import mark_safe

from curation.producer.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    Chart,
    chart_frame,
)
from curation.steering.selectors import BatchSteering, Effect

# The effects are drawn narrower than the other charts, their names above the whiskers, so a
# phone shows them at a legible size.
EFFECTS_WIDTH = 340
EDGE = 12
ROW = 34


def signed(value: float) -> str:
    return f"{value:+.3f}"


def effect_text(effect: Effect) -> str:
    figure = f"{signed(effect.change)} (90%: {signed(effect.low)} to {signed(effect.high)})"
    return figure if effect.tried else f"{figure}: no fitted track had it, so a guess"


def effects_chart(effects: list[Effect], *, chart_id: str = "effects") -> Chart:
    """A dot per effect at its mean change of the crowd score and a whisker across its 90%
    interval, against a line at no change. Each name sits above its whisker, so the drawing
    stays narrow enough to read on a phone."""
    height = TOP + ROW * len(effects) + BOTTOM
    reach = max((max(abs(e.low), abs(e.high)) for e in effects), default=0.0) * 1.1 or 0.01
    plot_w = EFFECTS_WIDTH - 2 * EDGE

    def x(value: float) -> float:
        return round(EDGE + (value + reach) / (2 * reach) * plot_w, 2)

    bottom = height - BOTTOM
    body = [
        f'<line class="zero" x1="{x(0)}" x2="{x(0)}" y1="{TOP}" y2="{bottom}"/>',
        f'<line class="axis" x1="{EDGE}" x2="{EFFECTS_WIDTH - EDGE}" y1="{bottom}" y2="{bottom}"/>',
    ]
    for value, anchor in ((-reach, "start"), (0.0, "middle"), (reach, "end")):
        body.append(
            f'<text class="tick" x="{x(value)}" y="{bottom + 14}" text-anchor="{anchor}">'
            f"{signed(value) if value else '0'}</text>"
        )
    for i, effect in enumerate(effects):
        top = TOP + ROW * i
        y = top + ROW - 8
        name = f"{effect.label}, {effect.unit}"
        body.append(
            f'<g class="effect effect-{effect.credible}{"" if effect.tried else " untried"}" '
            f'data-feature="{escape(effect.feature)}">'
            f'<text class="label" x="{EDGE}" y="{top + 11}">{escape(name)}</text>'
            f'<line class="whisker" x1="{x(effect.low)}" x2="{x(effect.high)}" y1="{y}" '
            f'y2="{y}"/>'
            f'<circle class="dot" cx="{x(effect.change)}" cy="{y}" r="4">'
            f"<title>{escape(name)}: {escape(effect_text(effect))}</title></circle></g>"
        )
    body.append(
        f'<text class="axis-label" x="{EFFECTS_WIDTH / 2}" y="{height - 6}" '
        'text-anchor="middle">Change of the crowd score (0 to 1)</text>'
    )
    up = [e.label for e in effects if e.credible == "up"]
    down = [e.label for e in effects if e.credible == "down"]
    desc = (
        f"{len(effects)} effects with 90% intervals. Credibly liked: "
        f"{', '.join(up) or 'none'}. Credibly disliked: {', '.join(down) or 'none'}."
    )
    svg = _svg(
        chart_id, "Each parameter's effect on the crowd score", desc, body, EFFECTS_WIDTH, height
    )
    rows = [(f"{e.label} ({e.unit})", effect_text(e)) for e in effects]
    return Chart(svg=svg, headers=("Parameter", "Crowd score change"), rows=rows)


def calibration_chart(points: list[dict[str, Any]], *, chart_id: str = "calibration") -> Chart:
    """Each held-out track at (predicted, actual crowd score), with the line where the two
    agree."""
    values = [p[key] for p in points for key in ("predicted", "actual")]
    low, high = min(values, default=0.0), max(values, default=1.0)
    pad = (high - low) * 0.05 or 0.05
    low, high = max(0.0, low - pad), min(1.0, high + pad)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(predicted: float, actual: float) -> tuple[float, float]:
        return (
            round(LEFT + (predicted - low) / (high - low) * plot_w, 2),
            round(TOP + (1 - (actual - low) / (high - low)) * plot_h, 2),
        )

    (x0, y0), (x1, y1) = at(low, low), at(high, high)
    body = [
        f'<line class="diagonal" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}"/>',
        *_ends(f"{low:.2f}", f"{high:.2f}"),
    ]
    for p in points:
        cx, cy = at(p["predicted"], p["actual"])
        body.append(
            f'<circle class="dot" cx="{cx}" cy="{cy}" r="3" data-track="{int(p["track"])}">'
            f"<title>Track {int(p['track'])}: predicted {p['predicted']:.3f}, "
            f"actual {p['actual']:.3f}</title></circle>"
        )
    desc = (
        f"{len(points)} held-out tracks, predicted against actual crowd score; on the diagonal "
        "the prediction was exact."
    )
    svg = chart_frame(
        chart_id,
        "Predicted against actual, on tracks the model did not see",
        desc,
        body,
        x_label="Predicted crowd score",
        y_label="Actual",
    )
    rows = [
        (
            f"Track {p['track']}",
            f"predicted {p['predicted']:.3f} ± {p['sd']:.3f}, actual {p['actual']:.3f}",
        )
        for p in points
    ]
    return Chart(svg=svg, headers=("Track", "Predicted and actual"), rows=rows)


def history_chart(batches: list[BatchSteering], *, chart_id: str = "history") -> Chart:
    """Per steered batch, oldest first: the mean crowd score of its rated steered tracks (a
    solid line) and of its rated exploring tracks (dashed)."""
    values = [v for b in batches for v in (b.steered_mean, b.exploring_mean) if v is not None]
    low, high = min(values, default=0.0), max(values, default=1.0)
    pad = (high - low) * 0.1 or 0.05
    low, high = max(0.0, low - pad), min(1.0, high + pad)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(batches), 1)

    def at(i: int, value: float) -> str:
        y = TOP + (1 - (value - low) / (high - low)) * plot_h
        return f"{round(LEFT + slot * (i + 0.5), 2)},{round(y, 2)}"

    body = _ends(f"{low:.2f}", f"{high:.2f}")
    for series, attribute in (("steered", "steered_mean"), ("exploring", "exploring_mean")):
        coords = [
            (i, getattr(b, attribute))
            for i, b in enumerate(batches)
            if getattr(b, attribute) is not None
        ]
        if len(coords) > 1:
            line = " ".join(at(i, v) for i, v in coords)
            body.append(f'<polyline class="line series-{series}" fill="none" points="{line}"/>')
        for i, v in coords:
            cx, cy = at(i, v).split(",")
            body.append(
                f'<circle class="dot series-{series}" cx="{cx}" cy="{cy}" r="3.5">'
                f"<title>Batch {batches[i].batch_id}, {series}: {v:.3f}</title></circle>"
            )
    show_every = max(1, len(batches) // 8)
    for i, b in enumerate(batches):
        if i % show_every == 0:
            body.append(
                f'<text class="tick" x="{round(LEFT + slot * (i + 0.5), 2)}" '
                f'y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">{b.batch_id}</text>'
            )
    body += [
        f'<line class="line series-steered" x1="{WIDTH - 150}" x2="{WIDTH - 130}" y1="{TOP + 6}" '
        f'y2="{TOP + 6}"/><text class="tick" x="{WIDTH - 126}" y="{TOP + 10}">steered</text>',
        f'<line class="line series-exploring" x1="{WIDTH - 150}" x2="{WIDTH - 130}" '
        f'y1="{TOP + 22}" y2="{TOP + 22}"/>'
        f'<text class="tick" x="{WIDTH - 126}" y="{TOP + 26}">exploring</text>',
    ]
    desc = (
        f"Mean crowd score of the rated steered and exploring tracks of the last "
        f"{len(batches)} steered batches."
    )
    svg = chart_frame(
        chart_id,
        "Steered against exploring tracks, per batch",
        desc,
        body,
        x_label="Batch",
        y_label="Mean crowd score",
    )
    rows = [(f"Batch {b.batch_id}", _history_text(b)) for b in batches]
    return Chart(svg=svg, headers=("Batch", "Mean crowd score"), rows=rows)


def _history_text(batch: BatchSteering) -> str:
    def mean(value: float | None, rated: int) -> str:
        return f"{value:.3f} ({rated} rated)" if value is not None else "none rated yet"

    return (
        f"steered {mean(batch.steered_mean, batch.steered_rated)}; "
        f"exploring {mean(batch.exploring_mean, batch.exploring_rated)}"
    )


def _ends(low: str, high: str) -> list[str]:
    """The y axis's two end values."""
    return [
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{high}</text>',
        f'<text class="tick" x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" text-anchor="end">{low}</text>',
    ]


def _svg(chart_id: str, title: str, desc: str, body: list[str], width: int, height: int) -> Any:
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
        *body,
        "</svg>",
    ]
    return mark_safe("".join(parts))  # every text above is escaped
