"""Channels: the Redis pub/sub channel layer, and the cap on sockets per address."""

import environ

from .redis import REDIS_URL

env = environ.Env()

# A home or an office behind one address opens a socket per tab; a flood does not fit.
WS_MAX_PER_ADDRESS = env.int("WS_MAX_PER_ADDRESS", default=50)

CHANNEL_LAYERS = {
    "default": {
        # Pub/sub: one PUBLISH per group message, fanned out inside each ASGI process,
        # and no per-group capacity that silently drops messages (the core layer's is 100).
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        # redis-py caps an async pool at 100 connections and fails at once beyond that.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "max_connections": 2000}]},
    }
}
