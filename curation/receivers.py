"""What curation does when generation announces something."""

from typing import Any

from django.dispatch import receiver

from curation import realtime
from curation.models import TrackStats
from generation.models import Track
from generation.signals import track_finished


@receiver(track_finished)
def publish_ready_track(sender: Any, track: Track, **kwargs: Any) -> None:
    if track.status != Track.Status.READY:
        return
    TrackStats.objects.get_or_create(track=track)
    realtime.track_published(track.pk)
