"""API URLs owned by generation."""

from django.urls import path

from . import apis

urlpatterns = [
    path("batches/", apis.BatchLaunchApi.as_view(), name="api-batch-launch"),
]
