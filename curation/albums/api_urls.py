"""Album API URLs (included under /api/v1/): albums and their versions, producers' picks, and
album jobs (a preview mix, an export archive, a track's stems, and following a job)."""

from django.urls import URLPattern, URLResolver, path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)
from curation.albums import apis, job_apis

ALBUM = "albums/<id:album_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("albums/", apis.AlbumListApi.as_view(), name="api-albums"),
    path(ALBUM, apis.AlbumDetailApi.as_view(), name="api-album"),
    path(f"{ALBUM}workspace/", apis.AlbumWorkspaceApi.as_view(), name="api-album-workspace"),
    path(f"{ALBUM}tracks/", apis.AlbumTracksApi.as_view(), name="api-album-tracks"),
    path(f"{ALBUM}suggestions/", apis.AlbumSuggestionsApi.as_view(), name="api-album-suggestions"),
    path(f"{ALBUM}finalize/", apis.AlbumFinalizeApi.as_view(), name="api-album-finalize"),
    path(
        f"{ALBUM}versions/<int:number>/", apis.AlbumVersionApi.as_view(), name="api-album-version"
    ),
    path(f"{ALBUM}preview/", job_apis.AlbumPreviewApi.as_view(), name="api-album-preview"),
    path(
        f"{ALBUM}versions/<int:number>/export/",
        job_apis.AlbumExportApi.as_view(),
        name="api-album-export",
    ),
    path("album-jobs/<id:job_id>/", job_apis.AlbumJobApi.as_view(), name="api-album-job"),
    path("picks/", apis.PickListApi.as_view(), name="api-picks"),
    path("tracks/<id:track_id>/pick/", apis.TrackPickApi.as_view(), name="api-track-pick"),
    path("tracks/<id:track_id>/stems/", job_apis.TrackStemsApi.as_view(), name="api-track-stems"),
]
