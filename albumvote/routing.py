"""Websocket URL routes for the whole site; each app contributes its own list."""

from django.urls import URLPattern, URLResolver

websocket_urlpatterns: list[URLPattern | URLResolver] = []
