"""Django REST framework: session auth for the site, token auth for API clients, one JSON error
shape."""

import environ

env = environ.Env()

REST_FRAMEWORK = {
    # Behind nginx (docker-compose) the client's address is the last X-Forwarded-For hop.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
    # Pages and their scripts use the session (with CSRF); API clients send
    # "Authorization: Token <key>" (keys are made in the admin or with drf_create_token).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its 401 challenge is what a client with no or a wrong token gets.
        "rest_framework.authentication.TokenAuthentication",
        "albumvote.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The API takes JSON only (forms are the pages' business).
    "DEFAULT_PARSER_CLASSES": ["albumvote.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "albumvote.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["albumvote.throttling.ApiRateThrottle"],
}
# Requests per client (user, or address) per window, for every DRF endpoint; listener feedback
# has its own, tighter limits (CURATION_RATE_LIMITS).
API_RATE_LIMIT = (env.int("API_RATE_PER_MINUTE", default=1200), 60)

# OpenAPI 3 at /api/v1/schema/, Swagger UI at /api/v1/docs/ (assets from the sidecar package,
# served from static/: no CDN).
SPECTACULAR_SETTINGS = {
    "TITLE": "AlbumVote API",
    "DESCRIPTION": (
        "Tracks composed by a model, ranked by listeners. Errors always have the shape "
        '{"error": {"code", "message", "details"}}. Listener writes use the listener cookie '
        "(or the session) and need the CSRF token. How the scores are computed: "
        "/how-ranking-works/."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "albumvote.openapi.add_authentication_errors",
    ],
}
