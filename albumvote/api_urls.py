"""The REST API, versioned under /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("", include("generation.api_urls")),
    path("", include("curation.api_urls")),
]
