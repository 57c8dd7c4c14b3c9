"""Site URLs: pages, the versioned REST API, admin."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("albumvote.api_urls")),
    path("", include("curation.urls")),
]

handler400 = "albumvote.views.bad_request"
handler404 = "albumvote.views.not_found"
handler500 = "albumvote.views.server_error"
