"""API URLs for albums and producers' picks (included under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)
from curation.albums import apis

urlpatterns: list[URLPattern | URLResolver] = [
    path("albums/", apis.AlbumListApi.as_view(), name="api-albums"),
    path("albums/<id:album_id>/", apis.AlbumDetailApi.as_view(), name="api-album"),
    path(
        "albums/<id:album_id>/workspace/",
        apis.AlbumWorkspaceApi.as_view(),
        name="api-album-workspace",
    ),
    path("albums/<id:album_id>/tracks/", apis.AlbumTracksApi.as_view(), name="api-album-tracks"),
    path(
        "albums/<id:album_id>/suggestions/",
        apis.AlbumSuggestionsApi.as_view(),
        name="api-album-suggestions",
    ),
    path(
        "albums/<id:album_id>/finalize/",
        apis.AlbumFinalizeApi.as_view(),
        name="api-album-finalize",
    ),
    path(
        "albums/<id:album_id>/versions/<int:number>/",
        apis.AlbumVersionApi.as_view(),
        name="api-album-version",
    ),
    path("picks/", apis.PickListApi.as_view(), name="api-picks"),
    path("tracks/<id:track_id>/pick/", apis.TrackPickApi.as_view(), name="api-track-pick"),
]
