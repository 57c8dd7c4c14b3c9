"""The producer's stems page for one track: what the stems will be, the job that renders
them (with its progress), and the ZIP to download. Producers only.

Rendering the parts of a dense two-minute track takes 5-7 CPU seconds (9-10 s of wall time
on the loaded bench machine; docs/generation.md), too long for a request, so it is an album
job (kind "stems") run by a worker, with progress; a built ZIP is reused, since a track's MIDI
never changes.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from albumvote.exceptions import ApplicationError
from albumvote.permissions import producer_required
from curation.albums import jobs
from curation.albums.job_apis import job_json
from curation.producer import selectors
from generation import stems
from generation.audio.stems import SUM_TOLERANCE


@producer_required
@require_http_methods(["GET", "POST"])
def track_stems(request: HttpRequest, track_id: int) -> HttpResponse:
    """GET: the page. POST: ask for the stems (or the ones already built) and come back."""
    if request.method == "POST":
        try:
            jobs.job_request_stems(track_id=track_id, user=request.user)
        except ApplicationError as exc:
            if exc.status_code == 404:
                raise Http404(exc.message) from exc
            messages.error(request, exc.message)
        return redirect(reverse("curation:producer-track-stems", args=[track_id]))
    track = selectors.track_get(track_id=track_id)
    if track is None:
        raise Http404("No such track.")
    job = jobs.job_stems_latest(track_id=track.pk)
    try:
        parts = stems.track_stem_parts(track=track)
        problem = ""
    except ApplicationError as exc:
        parts, problem = [], exc.message
    context = {
        "track": track,
        "parts": parts,
        "problem": problem,
        "job": job_json(job) if job is not None else None,
        "job_size": job.file.size if job is not None and jobs.job_file_exists(job) else None,
        "soundfont": stems.track_soundfont(track).name,
        "tolerance_percent": round(SUM_TOLERANCE * 100),
    }
    return render(request, "producer/stems.html", context)
