"""What curation does when generation announces something (thin: the services do it)."""

from typing import Any

from django.dispatch import receiver

from curation.services.aggregates import track_publish
from generation.models import Track
from generation.signals import track_finished


@receiver(track_finished)
def publish_ready_track(sender: Any, track: Track, **kwargs: Any) -> None:
    if track.status == Track.Status.READY:
        track_publish(track_id=track.pk)
