"""Settings shared by every environment; values come from the environment (django-environ)."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from .paths import BASE_DIR, DATA_DIR

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_celery_beat",
    "axes",
    "csp",
    "django_filters",
    "albumvote",
    "generation",
    "curation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "curation.identity.ListenerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "albumvote.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "albumvote.urls"
WSGI_APPLICATION = "albumvote.wsgi.application"
ASGI_APPLICATION = "albumvote.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "curation.producer.context_processors.producer",
            ],
        },
    },
]

# PostgreSQL on every machine: ./run.sh and ./test.sh use the one configured or running, or
# start an embedded one (albumvote/devservices.py). The vote path is a PL/pgSQL function.
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. ./run.sh and ./test.sh find or start PostgreSQL themselves; "
        "for manage.py, keep ./run.sh running or set DATABASE_URL (postgres://...)."
    )
DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://...)")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if env.str("ALBUMVOTE_SERVER", default="") == "asgi" and env.int("DB_POOL_SIZE", default=10):
    # Under ASGI every request runs its sync code on a thread of its own: persistent
    # connections pile up one per thread (measured: 53 open after 200 requests with
    # CONN_MAX_AGE=60). The server shares a psycopg pool instead (Django's "pool" option).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DB_POOL_SIZE", default=10),  # 0: no pool, as before
        "timeout": 10,  # seconds a request waits for a free connection before a 503
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
CSRF_FAILURE_VIEW = "albumvote.views.csrf_failure"
LOGIN_URL = "curation:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# One way of writing dates everywhere ("3 Dec 2026, 23:31"): albumvote/formats/en/formats.py.
FORMAT_MODULE_PATH = ["albumvote.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_ACCEL_REDIRECT_PREFIX = env.str("MEDIA_ACCEL_REDIRECT_PREFIX", default="")

# The General MIDI soundfont tracks are rendered with. Blank, or a path that is not a file:
# the best one installed, FluidR3_GM (Debian's fluid-soundfont-gm) before pretty_midi's own
# TimGM6mb (generation/audio/soundfont.py).
SOUNDFONT_PATH = env.str("SOUNDFONT_PATH", default="")

STORAGES = {
    # Files are written to a temporary name and moved into place, so no reader sees half a file.
    "default": {"BACKEND": "generation.storage.AtomicFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

from .integrations.celery import *  # noqa: E402,F403
from .integrations.channels import *  # noqa: E402,F403
from .integrations.composer import *  # noqa: E402,F403
from .integrations.curation import *  # noqa: E402,F403
from .integrations.rest import *  # noqa: E402,F403
from .integrations.security import *  # noqa: E402,F403
