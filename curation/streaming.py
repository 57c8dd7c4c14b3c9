"""Track audio and MIDI over HTTP, with byte ranges so that players can seek."""

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from albumvote.permissions import is_producer
from albumvote.ranges import ranged_file_response
from generation.models import Track

AUDIO_FORMATS = {
    "opus": ("audio_opus", "audio/ogg"),
    "mp3": ("audio_mp3", "audio/mpeg"),
}


@require_safe
def track_audio(request: HttpRequest, track_id: int, fmt: str) -> HttpResponseBase:
    if fmt not in AUDIO_FORMATS:
        raise Http404("No such audio format")
    field_name, content_type = AUDIO_FORMATS[fmt]
    track = _track_with_file(track_id=track_id, field_name=field_name, ready_only=True)
    return _file_response(
        request, track, field_name=field_name, content_type=content_type, extension=f".{fmt}"
    )


@require_safe
def track_midi(request: HttpRequest, track_id: int) -> HttpResponseBase:
    # Every track keeps its MIDI, rejected and failed ones included, for producers to study;
    # everyone else sees only what is published.
    track = _track_with_file(
        track_id=track_id, field_name="midi", ready_only=not is_producer(request.user)
    )
    return _file_response(
        request,
        track,
        field_name="midi",
        content_type="audio/midi",
        extension=".mid",
        as_attachment=True,
    )


def _track_with_file(*, track_id: int, field_name: str, ready_only: bool) -> Track:
    # Only the columns needed: a track row also carries peaks, metrics and analysis JSON.
    queryset = Track.objects.filter(pk=track_id).only("pk", "title", "status", field_name)
    if ready_only:
        queryset = queryset.filter(status=Track.Status.READY)
    track = queryset.first()
    if track is None:
        raise Http404("No such track")
    if not getattr(track, field_name):
        raise Http404("This track has no such file yet")
    return track


def _file_response(
    request: HttpRequest,
    track: Track,
    *,
    field_name: str,
    content_type: str,
    extension: str,
    as_attachment: bool = False,
) -> HttpResponseBase:
    field: FieldFile = getattr(track, field_name)
    return ranged_file_response(
        request,
        storage=field.storage,
        name=field.name or "",
        content_type=content_type,
        filename=f"{track.title or f'track-{track.pk}'}{extension}",
        as_attachment=as_attachment,
    )
