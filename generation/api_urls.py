"""API URLs owned by generation."""

from django.urls import path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)

from . import apis

urlpatterns = [
    path("batches/", apis.BatchLaunchApi.as_view(), name="api-batch-launch"),
    path("batches/<id:batch_id>/", apis.BatchDetailApi.as_view(), name="api-batch-detail"),
    path("tracks/<id:track_id>/remix/", apis.TrackRemixApi.as_view(), name="api-track-remix"),
]
