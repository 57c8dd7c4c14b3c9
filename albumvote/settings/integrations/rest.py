"""Django REST framework: session auth for the site, one JSON error shape."""

import environ

env = environ.Env()

REST_FRAMEWORK = {
    # Behind nginx (docker-compose) the client's address is the last X-Forwarded-For hop.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "albumvote.exceptions.api_exception_handler",
}
