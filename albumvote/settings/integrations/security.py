"""Log-in attempts: django-axes locks a user name from an address after a few wrong
passwords (the right one is refused too until the cool-off ends)."""

from datetime import timedelta

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE

env = environ.Env()

AUTHENTICATION_BACKENDS = [
    "albumvote.authentication.LoginLimitBackend",  # first: it refuses locked-out attempts
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
# A name and an address together: a wrong-password flood locks that pair, without letting a
# stranger lock the real owner out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind nginx (docker-compose) the client's address is the last X-Forwarded-For hop; the
# API's NUM_PROXIES says how many proxies there are (django-axes reads it through ipware).
AXES_IPWARE_PROXY_COUNT = env.int("NUM_PROXIES", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Pages carry the CSRF token in a meta tag, so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): scripts, styles, fonts and media only from this site,
# so injected markup cannot run script. Style attributes stay allowed (style-src-attr): pages
# set CSS custom properties such as a meter's --heard in templates; they cannot run script.
# 'self' also admits this site's websockets (ws:/wss: on the same host).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
