"""Settings per environment: production refuses to start without secrets and passes --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.servers import manage

ROOT = Path(__file__).resolve().parents[1]
GOOD_KEY = "k" * 20 + "-production-secret-key-for-the-deploy-check-0123456789"


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    full_env.update(env)
    return manage(full_env, *args, timeout=120)


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "albumvote.settings.production",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "ALLOWED_HOSTS": "albumvote.example",
}


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env=PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_sqlite():
    env = {**PRODUCTION, "SECRET_KEY": GOOD_KEY, "DATABASE_URL": "sqlite:////tmp/x.sqlite3"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_production_passes_check_deploy_with_no_warnings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "SECRET_KEY": GOOD_KEY}
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_visibility_timeout_must_exceed_the_task_time_limit():
    result = run_manage(
        "check",
        env={
            "DJANGO_SETTINGS_MODULE": "albumvote.settings.dev",
            "GENERATION_TASK_TIME_LIMIT": "600",
            "BROKER_VISIBILITY_TIMEOUT": "600",
        },
    )
    assert result.returncode != 0
    assert "BROKER_VISIBILITY_TIMEOUT must be above GENERATION_TASK_TIME_LIMIT" in result.stderr


def test_without_a_database_url_manage_py_says_how_to_get_one(tmp_path: Path):
    """There is no SQLite fallback: PostgreSQL comes from DATABASE_URL, or from a running
    ./run.sh (its services.env in DATA_DIR)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="albumvote.settings.dev", DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr and "./run.sh" in result.stderr


def test_manage_py_uses_the_services_a_running_run_command_found(tmp_path: Path):
    (tmp_path / "services.env").write_text(
        "export DATABASE_URL='postgresql://postgres:@/albumvote?host=/somewhere'\n"
        "export REDIS_URL=redis://127.0.0.1:6390/0\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="albumvote.settings.dev", DATA_DIR=str(tmp_path))
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['NAME'], d['OPTIONS']['host'], s.CELERY_BROKER_URL,"
        " s.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]['address'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "albumvote",
        "/somewhere",
        "redis://127.0.0.1:6390/0",
        "redis://127.0.0.1:6390/0",
    ]


def test_celery_is_configured_for_long_idempotent_work():
    from albumvote.celery import app
    from generation.tasks import generate_track

    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.result_serializer == "json"
    assert conf.worker_prefetch_multiplier == 1
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert conf.broker_transport_options["visibility_timeout"] > settings.GENERATION_TASK_TIME_LIMIT
    assert generate_track.name == "generation.generate_track"
    assert generate_track.acks_late is True
    assert generate_track.reject_on_worker_lost is True
    route = app.amqp.router.route({}, generate_track.name)
    assert route["queue"].name == "generation"


@pytest.mark.parametrize(
    "name",
    [
        "generation.generate_track",
        "generation.launch_scheduled_batch",
        "generation.requeue_stalled",
        "curation.flush_refusals",
    ],
)
def test_tasks_have_explicit_names(name):
    from albumvote.celery import app

    app.loader.import_default_modules()
    assert name in app.tasks


def test_asgi_routes_websockets_through_origin_address_and_auth_checks():
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter

    from albumvote.asgi import application
    from albumvote.websockets import AddressLimit, SameOriginValidator

    assert isinstance(application, ProtocolTypeRouter)
    websocket = application.application_mapping["websocket"]
    assert isinstance(websocket, SameOriginValidator)
    assert isinstance(websocket.application, AddressLimit)
    # AuthMiddlewareStack is a function returning the cookie/session/auth middleware chain.
    inner = websocket.application.application
    assert type(inner).__name__ == type(AuthMiddlewareStack(None)).__name__


def test_essen_is_left_out_by_default_because_it_is_non_commercial():
    from generation import composer

    assert "essen" in composer.COLLECTIONS
    assert "essen" not in settings.COMPOSER_DEFAULT_COLLECTIONS
    assert tuple(settings.COMPOSER_DEFAULT_COLLECTIONS) == tuple(composer.DEFAULT_COLLECTIONS)


def test_production_under_the_asgi_server_pools_connections_and_keeps_none():
    """Pooling and persistent connections do not mix (Django refuses to start); the ASGI
    server gets the pool, gunicorn and Celery keep one connection each for a minute."""
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d.get('OPTIONS', {}).get('pool', {}).get('max_size'))"
    )
    env = {**PRODUCTION, "SECRET_KEY": GOOD_KEY, "DB_POOL_SIZE": "7"}
    asgi = run_manage("shell", "-v", "0", "-c", code, env={**env, "ALBUMVOTE_SERVER": "asgi"})
    assert asgi.returncode == 0, asgi.stderr
    assert asgi.stdout.split() == ["0", "7"]
    other = run_manage("shell", "-v", "0", "-c", code, env=env)
    assert other.stdout.split() == ["60", "None"]
