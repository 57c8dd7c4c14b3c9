"""Album pages (inside the "curation" namespace): the published albums, the producers' album
list and workspace, and the file an album job made."""

from django.urls import URLPattern, URLResolver, path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)
from curation.albums import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("albums/", views.album_list, name="albums"),
    path("albums/<id:album_id>/", views.album_detail, name="album"),
    path("albums/<id:album_id>/cover-<int:number>.jpg", views.album_cover, name="album-cover"),
    path("albums/<id:album_id>/download/", views.album_download, name="album-download"),
    path("producer/albums/", views.producer_album_list, name="producer-albums"),
    path("producer/albums/<id:album_id>/", views.album_workspace, name="album-workspace"),
    path("producer/album-jobs/<id:job_id>/file", views.album_job_file, name="album-job-file"),
]
