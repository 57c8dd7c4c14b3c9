"""The crowd's verdict: every figure of a track, every ordering and its tie-break, in one place.

Pages, feeds, the live lists, the rankings and catalogue API and album suggestions read it.
The scores themselves are stored columns of TrackStats (formulas in curation.scoring), kept in
step by every vote; what depends on the moment is computed here, once: the Bayesian average's
site-wide prior and trending's decay.
"""

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from curation import scoring
from curation.models import TrackStats

# A track nobody has rated or played yet: its stats row starts empty and scores exactly this.
EMPTY_CROWD_SCORE = scoring.crowd_score([0, 0, 0, 0, 0], 0.0, 0, 0, 0)


@dataclass(frozen=True)
class Sort:
    """One ordering: a stored column, highest first, the track id breaking ties (so the order
    is total and a page boundary never skips or repeats a track). `above` admits only tracks
    whose key is above it; `arena` only tracks with an arena rating."""

    label: str
    column: str  # an ORM path from Track
    # The key of a published track whose stats row is not there yet (as if it were empty).
    empty: float | None = None
    above: float | None = None
    arena: bool = False

    def key(self) -> Any:
        if self.empty is None:
            return F(self.column)
        return Coalesce(F(self.column), Value(self.empty))

    def admits(self) -> Q:
        if self.above is not None:
            return Q(**{f"{self.column}__gt": self.above})
        if self.arena:
            return Q(arena__isnull=False)
        return Q()

    def order(self) -> list[Any]:
        return [self.key().desc(nulls_last=True), F("id").desc()]


SORTS = {
    "top": Sort("Top rated", "stats__crowd_score", empty=EMPTY_CROWD_SCORE),
    "trending": Sort("Trending", "stats__trend_log", empty=scoring.TREND_EMPTY),
    "new": Sort("Newest", "finished_at"),
    # A track is controversial once it has both low (1-2) and high (4-5) ratings.
    "controversial": Sort("Controversial", "stats__controversy", empty=0.0, above=0.0),
    "arena": Sort("Arena", "arena__rating", arena=True),  # the Bradley-Terry rating
}
# The listening pages' sorts (the arena has a page of its own).
PAGE_SORTS = ("new", "top", "trending", "controversial")


def ranked(tracks: QuerySet[Any], sort: str) -> QuerySet[Any]:
    """The tracks the sort admits, in its order."""
    chosen = SORTS[sort]
    return tracks.filter(chosen.admits()).order_by(*chosen.order())


# --- the figures ------------------------------------------------------------------------------


class StatsColumns(Protocol):
    """TrackStats, or a row read with the same column names."""

    rating_count: int
    rating_sum: int
    stars_1: int
    stars_2: int
    stars_3: int
    stars_4: int
    stars_5: int
    mean: float | None
    lower_bound: float
    plays: int
    unique_listeners: int
    listen_through: float
    skip_rate: float
    replays: int
    trend_log: float
    crowd_score: float
    controversy: float


FIGURE_COLUMNS = tuple(StatsColumns.__annotations__)


@dataclass
class _Empty:
    """The columns of a stats row nobody has rated or played (as the database computes them)."""

    rating_count: int = 0
    rating_sum: int = 0
    stars_1: int = 0
    stars_2: int = 0
    stars_3: int = 0
    stars_4: int = 0
    stars_5: int = 0
    mean: float | None = None
    lower_bound: float = scoring.lower_bound([0, 0, 0, 0, 0])
    plays: int = 0
    unique_listeners: int = 0
    listen_through: float = scoring.listen_through(0.0, 0)
    skip_rate: float = scoring.skip_rate(0, 0)
    replays: int = 0
    trend_log: float = scoring.TREND_EMPTY
    crowd_score: float = EMPTY_CROWD_SCORE
    controversy: float = 0.0


EMPTY_STATS = _Empty()


class Figures(NamedTuple):
    """A track's figures at a moment: its stats columns (an empty row's, without one) and
    what depends on the moment. The APIs' shape of them is curation.serializers.FiguresFields."""

    stats: StatsColumns
    distribution: dict[str, int]  # "1".."5": how many gave that many stars
    bayesian_average: float
    trending: float


def figures(stats: StatsColumns | None, *, prior: float, now: datetime) -> Figures:
    """A track's figures (a track without a stats row yet has the figures of an empty one)."""
    columns: StatsColumns = EMPTY_STATS if stats is None else stats
    counts = [columns.stars_1, columns.stars_2, columns.stars_3, columns.stars_4, columns.stars_5]
    return Figures(
        columns,
        dict(zip(map(str, scoring.STARS), counts, strict=True)),
        scoring.bayes(
            columns.rating_sum,
            columns.rating_count,
            prior_mean=prior,
            strength=settings.CURATION_BAYES_PRIOR_STRENGTH,
        ),
        scoring.trend_now(columns.trend_log, now),
    )


# --- what depends on the moment ---------------------------------------------------------------

# The site-wide mean (the Bayesian prior) moves by a hair per vote; summing every track's
# figures for each page cost more than the page itself at 10,000 tracks, so each process
# reuses it for a few seconds.
PRIOR_TTL_S = 10.0
NO_RATINGS_MEAN = 3.0  # the middle of the scale, until there is a first rating
_prior: tuple[float, float] | None = None


def site_mean_rating() -> float:
    global _prior
    now = time.monotonic()
    if _prior is None or now - _prior[0] > PRIOR_TTL_S:
        totals = TrackStats.objects.aggregate(n=Sum("rating_count"), total=Sum("rating_sum"))
        mean = totals["total"] / totals["n"] if totals["n"] else NO_RATINGS_MEAN
        _prior = (now, mean)
    return _prior[1]


def trend_clock() -> datetime:
    """Now, to the minute: trending decays continuously, and a page whose figures changed
    every millisecond could never be revalidated with its ETag."""
    return timezone.now().replace(second=0, microsecond=0)
