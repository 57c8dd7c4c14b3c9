"""What the producer tracks table shows and what each figure means, said once: the column
headings' tooltips, the legend above the table and each cell's label in the phone layout all
read it. The formulas themselves live in curation.scoring and /how-ranking-works/."""

from dataclasses import dataclass

from curation.arena.bradley_terry import INITIAL_RATING
from curation.arena.selectors import arena_rule_text

# What a veto does: album suggestions leave the track out (curation.albums.selectors
# .suggestion_candidates), and that is all; listeners see the track as before.
VETO_MEANING = (
    "Vetoed tracks are kept out of album suggestions. Nothing public changes: the track stays "
    "on the site, in the rankings and in the arena, and can still be added to an album by hand."
)
SHORTLIST_MEANING = "Shortlisted tracks rank higher in album suggestions."


@dataclass(frozen=True)
class Column:
    heading: str
    meaning: str


# The columns, in order (the play button's column comes first and is named "Listen").
COLUMNS: dict[str, Column] = {
    "track": Column("Track", "Title, batch and preset; open it for charts, picks and remixes."),
    "status": Column(
        "Status",
        "Queued, composing or rendering; then ready (published), rejected by the quality gate "
        "(never published) or failed (retry it from the track's page).",
    ),
    "pick": Column("Pick", f"Your shortlist or veto, and tags. {SHORTLIST_MEANING} {VETO_MEANING}"),
    "ratings": Column(
        "Ratings", "How many listeners rated the track, and their mean stars (1 to 5)."
    ),
    "crowd": Column(
        "Crowd score",
        'The "Top" ranking, 0 to 1: the stars\' lower bound weighs most, then listen-through '
        "and not skipping early.",
    ),
    "listen_through": Column(
        "Listen-through", "The average share of the track each listener has heard."
    ),
    "arena": Column(
        "Arena",
        f"Head-to-head rating within the batch (the batch averages {INITIAL_RATING:.0f}) and "
        f"its 95% interval. {arena_rule_text()}",
    ),
    "length": Column("Length", "Duration, minutes:seconds."),
}

# Figures shown under "More figures" in each row rather than as columns of their own.
MORE: dict[str, Column] = {
    "lower_bound": Column(
        "Lower bound",
        "A cautious mean of the stars: the lower end of where the true average probably lies.",
    ),
    "plays": Column("Plays", "Times the track was played."),
    "skip_rate": Column("Skip rate", "Plays skipped early, per play."),
    "key": Column("Key", "Musical key and its Camelot code (for mixing neighbours)."),
    "tempo": Column("Tempo", "Beats per minute."),
    "energy": Column(
        "Energy", "How loud and busy the piece is (synth loudness, notes per second), 0 to 1."
    ),
    "metrics": Column("Quality metrics", "The quality gate's measures against the corpus."),
    "refused": Column(
        "Refused / throttled",
        "Rating and listening attempts refused (rated before listening long enough, or "
        "malformed) / throttled (too many, too fast).",
    ),
}
