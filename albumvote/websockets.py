"""The checks every websocket passes before a consumer sees it: the page that opens it must
be of this site (the same scheme-less host and port, or a trusted origin), and one address
holds at most WS_MAX_PER_ADDRESS sockets at a time (counted in Redis across processes)."""

import contextlib
from typing import Any
from urllib.parse import urlsplit

import redis
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import validate_host

from albumvote.clients import scope_header, socket_address
from albumvote.redis_client import get_redis

# A crashed process never gives its sockets back; its counts fade after this long.
COUNT_TTL_S = 3600


class SameOriginValidator:
    """Like Channels' AllowedHostsOriginValidator, but the port counts: a page on another port
    of the same host is another origin."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not self.allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)

    @staticmethod
    def allowed(scope: dict[str, Any]) -> bool:
        origin, host = scope_header(scope, b"origin"), scope_header(scope, b"host")
        if not origin or not host:
            return False
        if origin in settings.CSRF_TRUSTED_ORIGINS:
            return True
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        allowed_hosts = [*settings.ALLOWED_HOSTS, *(["testserver"] if settings.DEBUG else [])]
        return urlsplit(origin).netloc == host and validate_host(hostname, allowed_hosts)


class AddressLimit:
    """At most WS_MAX_PER_ADDRESS open sockets per client address; fails open without Redis."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            return await self.application(scope, receive, send)
        key = f"ws:address:{socket_address(scope)}"
        client = get_redis()
        try:
            pipe = client.pipeline()
            pipe.incr(key)
            pipe.expire(key, COUNT_TTL_S)
            count = pipe.execute()[0]
        except redis.RedisError:
            return await self.application(scope, receive, send)
        try:
            if count > settings.WS_MAX_PER_ADDRESS:
                return await WebsocketDenier()(scope, receive, send)
            return await self.application(scope, receive, send)
        finally:
            with contextlib.suppress(redis.RedisError):  # else the count fades with its TTL
                client.decr(key)
