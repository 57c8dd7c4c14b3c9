"""Channels: the Redis pub/sub channel layer."""

from .redis import REDIS_URL

CHANNEL_LAYERS = {
    "default": {
        # Pub/sub: one PUBLISH per group message, fanned out inside each ASGI process,
        # and no per-group capacity that silently drops messages (the core layer's is 100).
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        # redis-py caps an async pool at 100 connections and fails at once beyond that.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "max_connections": 2000}]},
    }
}
