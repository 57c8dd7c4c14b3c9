"""API URLs owned by generation."""

from django.urls import path

from . import apis

urlpatterns = [
    path("batches/", apis.BatchLaunchApi.as_view(), name="api-batch-launch"),
    path("batches/<int:batch_id>/", apis.BatchDetailApi.as_view(), name="api-batch-detail"),
]
