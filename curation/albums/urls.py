"""URLs (filled in by the albums and producer work)."""

from django.urls import URLPattern, URLResolver

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)

urlpatterns: list[URLPattern | URLResolver] = []
