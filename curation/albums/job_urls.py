"""Page URLs for album jobs: the finished file (inside the "curation" namespace)."""

from django.urls import path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)
from curation.albums import job_views

urlpatterns = [
    path(
        "producer/album-jobs/<id:job_id>/file",
        job_views.album_job_file,
        name="album-job-file",
    ),
]
