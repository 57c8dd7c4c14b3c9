"""ASGI entry point: HTTP through Django, websockets through Channels (/ws/...)."""

import os
from importlib import import_module

from django.conf import settings
from django.core.asgi import get_asgi_application

from albumvote import threads

threads.install()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "albumvote.settings.dev")
# The settings give this process a connection pool (see DATABASES in albumvote/settings/base);
# processes started from here on are not ASGI servers.
os.environ["ALBUMVOTE_SERVER"] = "asgi"
# Django must be set up before the routing imports consumers and models.
django_asgi_app = get_asgi_application()
del os.environ["ALBUMVOTE_SERVER"]
# The URL modules, imported now rather than by the first live update's links (about 0.3 s of
# CPU, on the coalescer's thread while the event loop is busy: issue 13's bench saw the
# ratings of a fresh process's first second reach listeners in up to 570 ms, later ones in
# about 200).
import_module(settings.ROOT_URLCONF)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from albumvote.routing import websocket_urlpatterns  # noqa: E402
from albumvote.websockets import AddressLimit, SameOriginValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(
            AddressLimit(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
