"""API URLs for album jobs: preview, export, a track's stems, and following a job."""

from django.urls import path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)
from curation.albums import job_apis

urlpatterns = [
    path(
        "albums/<id:album_id>/preview/",
        job_apis.AlbumPreviewApi.as_view(),
        name="api-album-preview",
    ),
    path(
        "albums/<id:album_id>/versions/<int:number>/export/",
        job_apis.AlbumExportApi.as_view(),
        name="api-album-export",
    ),
    path("tracks/<id:track_id>/stems/", job_apis.TrackStemsApi.as_view(), name="api-track-stems"),
    path("album-jobs/<id:job_id>/", job_apis.AlbumJobApi.as_view(), name="api-album-job"),
]
