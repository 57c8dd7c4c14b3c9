"""Pages owned by generation: a minimal home page of ready tracks, and track file downloads."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors

FILE_KINDS = {
    "audio.opus": ("audio_opus", "audio/ogg", False),
    "audio.mp3": ("audio_mp3", "audio/mpeg", False),
    "track.mid": ("midi", "audio/midi", True),
}


def home(request: HttpRequest) -> HttpResponse:
    tracks = selectors.track_list_ready(limit=50)
    running = selectors.batch_running_progress()
    return render(request, "generation/home.html", {"tracks": tracks, "running": running})


def track_file(request: HttpRequest, track_id: int, kind: str) -> FileResponse:
    if kind not in FILE_KINDS:
        raise Http404("No such file kind")
    field_name, content_type, as_attachment = FILE_KINDS[kind]
    track = selectors.track_get_published_or_midi(track_id=track_id, kind=field_name)
    if track is None:
        raise Http404("No such track")
    field = getattr(track, field_name)
    if not field:
        raise Http404("This track has no such file yet")
    filename = f"{track.title or 'track'}{kind[kind.index('.') :]}"
    return FileResponse(
        field.open("rb"),
        content_type=content_type,
        as_attachment=as_attachment,
        filename=filename,
    )
