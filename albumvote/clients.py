"""Who is on the other end of a request or a socket: their address, as the proxies in front of
Django saw it (NUM_PROXIES, DRF's rule), the same for HTTP and websockets."""

from rest_framework.settings import api_settings


def client_address(remote: str, forwarded_for: str | None) -> str:
    proxies = api_settings.NUM_PROXIES
    if forwarded_for and proxies:
        addresses = [a.strip() for a in forwarded_for.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return remote
