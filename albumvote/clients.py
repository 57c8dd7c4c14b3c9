"""Who is on the other end of a request or a socket: their address, as the proxies in front of
Django saw it (NUM_PROXIES, DRF's rule), the same for HTTP and websockets."""

from typing import Any

from rest_framework.settings import api_settings


def client_address(remote: str, forwarded_for: str | None) -> str:
    proxies = api_settings.NUM_PROXIES
    if forwarded_for and proxies:
        addresses = [a.strip() for a in forwarded_for.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return remote


def scope_header(scope: dict[str, Any], name: bytes) -> str:
    """A header of a websocket's handshake ('' when absent)."""
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin1"))
    return ""


def socket_address(scope: dict[str, Any]) -> str:
    """A websocket client's address, by the same rule as a request's."""
    remote = (scope.get("client") or ("", 0))[0]
    return client_address(remote, scope_header(scope, b"x-forwarded-for"))
