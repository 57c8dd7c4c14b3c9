"""Signals generation sends for other apps to act on (generation never imports them)."""

from django.dispatch import Signal

# Sent inside the transaction that moves a track to a final status; kwargs: track.
# Receivers that talk to the outside world should do so on commit.
track_finished = Signal()
