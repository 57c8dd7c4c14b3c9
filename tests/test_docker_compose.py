"""docker-compose.yml cannot run here, so read it and hold it to the settings and commands."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DJANGO_SERVICES = ("web", "worker", "beat")
SETTINGS_SOURCE = "\n".join(p.read_text() for p in (ROOT / "albumvote" / "settings").rglob("*.py"))


def command_words(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return command if isinstance(command, list) else shlex.split(command)


def test_it_has_the_five_services():
    assert set(SERVICES) == {"postgres", "redis", "web", "worker", "beat"}


def test_web_worker_and_beat_share_one_image_definition():
    builds = {repr(SERVICES[name].get("build")) for name in DJANGO_SERVICES}
    images = {SERVICES[name].get("image") for name in DJANGO_SERVICES}
    environments = [SERVICES[name]["environment"] for name in DJANGO_SERVICES]
    assert builds == {"'.'"}
    assert len(images) == 1
    assert environments[0] == environments[1] == environments[2]
    assert (ROOT / "Dockerfile").exists()


@pytest.mark.parametrize("service", DJANGO_SERVICES)
def test_every_variable_given_to_django_is_read_by_the_settings(service):
    environment = SERVICES[service]["environment"]
    for name in environment:
        if name == "DJANGO_SETTINGS_MODULE":
            continue
        assert re.search(rf'["\']{name}["\']', SETTINGS_SOURCE), f"settings never read {name}"
    assert environment["DJANGO_SETTINGS_MODULE"] == "albumvote.settings.production"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379")
    for required in ("SECRET_KEY", "ALLOWED_HOSTS", "MEDIA_ROOT", "DEBUG"):
        assert required in environment


def test_commands_run_the_asgi_app_the_worker_queues_and_the_database_scheduler():
    web = " ".join(command_words("web"))
    assert "migrate" in web
    assert "uvicorn albumvote.asgi:application" in web or "daphne albumvote.asgi:application" in web
    worker = command_words("worker")
    assert worker[:4] == ["celery", "-A", "albumvote", "worker"]
    queues = worker[worker.index("-Q") + 1].split(",")
    assert "generation" in queues and "default" in queues
    beat = command_words("beat")
    assert beat[:4] == ["celery", "-A", "albumvote", "beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat


def test_every_service_has_a_health_check_and_data_lives_in_volumes():
    for name, service in SERVICES.items():
        assert "healthcheck" in service, f"{name} has no health check"
    assert "postgres:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    media_mounts = {v.split(":")[1] for v in SERVICES["web"]["volumes"]}
    media_root = SERVICES["web"]["environment"]["MEDIA_ROOT"]
    assert any(media_root.startswith(mount) for mount in media_mounts)
    assert {"postgres", "media"} <= set(COMPOSE["volumes"])


def test_django_services_wait_for_healthy_postgres_and_redis():
    for name in DJANGO_SERVICES:
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_the_web_health_check_url_exists(client, db):
    test = " ".join(SERVICES["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/\S*?)'", test)
    assert path is not None
    response = client.get(path.group(1))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
