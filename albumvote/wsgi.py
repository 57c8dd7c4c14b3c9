"""WSGI entry point, for serving plain HTTP from a sync server (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "albumvote.settings.dev")

application = get_wsgi_application()
