"""Websocket routes owned by curation."""

from django.urls import path

from curation.consumers import LiveConsumer

websocket_urlpatterns = [path("ws/live/", LiveConsumer.as_asgi())]
