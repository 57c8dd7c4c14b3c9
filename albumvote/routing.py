"""Websocket URL routes for the whole site; each app contributes its own list."""

from django.urls import URLPattern, URLResolver

from curation.routing import websocket_urlpatterns as curation_routes

websocket_urlpatterns: list[URLPattern | URLResolver] = [*curation_routes]
