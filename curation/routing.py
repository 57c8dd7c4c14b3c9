"""Websocket routes owned by curation."""

from django.urls import path

from curation.consumers import LiveConsumer
from curation.producer.consumers import ProducerConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi()),
    path("ws/producer/", ProducerConsumer.as_asgi()),
]
