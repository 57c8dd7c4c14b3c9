"""Site URLs: pages, the versioned REST API, admin."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico wherever a page names no icon (the admin, API docs, feeds).
    # Not permanent: the static name carries a hash that changes with the icon.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg")), name="favicon"),
    path("ping", views.ping, name="ping"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("albumvote.api_urls")),
    path("", include("curation.urls")),
]

handler400 = "albumvote.views.bad_request"
handler404 = "albumvote.views.not_found"
handler500 = "albumvote.views.server_error"
