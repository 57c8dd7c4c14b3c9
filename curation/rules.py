"""Listening rules shared by writes and reads."""

# Listen before you rate: this long, or this share of the track, whichever is shorter.
LISTEN_FIRST_S = 20.0
LISTEN_FIRST_SHARE = 0.3


def listen_required_s(duration_s: float | None) -> float:
    """Exact, not rounded: the database function (curation_rate) computes the same float."""
    if not duration_s:
        return LISTEN_FIRST_S
    return min(LISTEN_FIRST_S, LISTEN_FIRST_SHARE * duration_s)
