"""Listening rules shared by writes and reads."""

from datetime import timedelta

# Listen before you rate: this long, or this share of the track, whichever is shorter.
LISTEN_FIRST_S = 20.0
LISTEN_FIRST_SHARE = 0.3


# Listening is a sum of played intervals in float seconds: it can land a hair under a
# threshold it has reached.
LISTEN_TOLERANCE_S = 1e-6


def heard_enough(listened_s: float, required_s: float) -> bool:
    """The one "listened long enough" rule (curation_rate applies it with the same tolerance)."""
    return listened_s + LISTEN_TOLERANCE_S >= required_s


def listen_required_s(duration_s: float | None) -> float:
    """Exact, not rounded: the database function (curation_rate) computes the same float."""
    if not duration_s:
        return LISTEN_FIRST_S
    return min(LISTEN_FIRST_S, LISTEN_FIRST_SHARE * duration_s)


# One listen: a listener's plays, replays, skips and completes of a track count at most once
# in this long, counted from the play that opened it (a track lasts 1 to 3 minutes; half an
# hour is a listening session, as streaming services count one).
LISTEN_WINDOW = timedelta(minutes=30)


# A new identity's ratings count once it has shown real listening: this much, credited by the
# server, over all tracks (five minutes: a few tracks heard through, which a script minting
# identities cannot fake faster than the server's clock). Until then its ratings are stored and
# shown to it as its own, but leave the crowd's figures alone (a reputation threshold, as
# Stack Overflow lets an account vote once it has earned a little reputation).
PROVEN_LISTENING_S = 300.0


def proven(listened_s: float) -> bool:
    """Whether this much credited listening over all tracks proves an identity."""
    return heard_enough(listened_s, PROVEN_LISTENING_S)
