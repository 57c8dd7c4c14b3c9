"""Listening rules shared by writes and reads."""

from datetime import timedelta

from django.db.models import Q

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


# Listening is credited no faster than the server's clock runs, over all of a listener's
# tracks together (Listener.credited_until): twenty tracks played at once for a minute are a
# minute of listening. Time the server saw pass without crediting anything (a player that
# reports late, a pause between tracks) can be credited later, up to this much: a player
# reports every few seconds, and an identity idle for a day cannot spend that day at once.
LISTEN_CATCH_UP_S = 600.0


# A new identity's ratings count once it has shown real listening: this much, credited by the
# server, over all tracks (five minutes: a few tracks heard through, which a script minting
# identities cannot fake faster than the server's clock). Until then its ratings are stored and
# shown to it as its own, but leave the crowd's figures alone (a reputation threshold, as
# Stack Overflow lets an account vote once it has earned a little reputation).
PROVEN_LISTENING_S = 300.0


def proven(listened_s: float) -> bool:
    """Whether this much credited listening over all tracks proves an identity."""
    return heard_enough(listened_s, PROVEN_LISTENING_S)


def counted_voters(listener: str = "listener__") -> Q:
    """Rows (ratings, listening, arena verdicts; listeners themselves with `listener=""`)
    whose listener's votes count in the figures: proven, and not flagged
    (curation.models.VoterFlag). curation_rate checks the same."""
    return Q(**{f"{listener}proven_at__isnull": False, f"{listener}voter_flag__isnull": True})
