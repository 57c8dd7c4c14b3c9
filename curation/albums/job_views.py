"""The file an album job made, for producers: the preview mix to play, the export or a
track's stems to download."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from albumvote.permissions import is_producer
from albumvote.ranges import ranged_file_response
from curation.albums import export, jobs
from curation.albums.models import AlbumJob

CONTENT_TYPES = {
    AlbumJob.Kind.PREVIEW: "audio/mpeg",
    AlbumJob.Kind.EXPORT: "application/zip",
    AlbumJob.Kind.STEMS: "application/zip",
}


@require_safe
def album_job_file(request: HttpRequest, job_id: int) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_producer(request.user):
        raise PermissionDenied("Only producers can do this.")
    job = jobs.job_get(job_id=job_id)
    if job is None or job.status != AlbumJob.Status.DONE or not job.file:
        raise Http404("No such file (yet)")
    if job.kind == AlbumJob.Kind.EXPORT and job.version is not None:
        filename, attachment = export.archive_name(job.version, stems=job.include_stems), True
    elif job.kind == AlbumJob.Kind.STEMS and job.track is not None:
        filename, attachment = f"{jobs.stems_folder(job.track)}.zip", True
    elif job.album is not None:
        filename, attachment = f"{export.safe_name(job.album.title)} preview.mp3", False
    else:
        raise Http404("No such file")
    return ranged_file_response(
        request,
        storage=job.file.storage,
        name=job.file.name or "",
        content_type=CONTENT_TYPES[AlbumJob.Kind(job.kind)],
        filename=filename,
        as_attachment=attachment,
    )
