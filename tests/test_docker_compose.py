"""docker-compose.yml and docker/nginx.conf cannot run here: read them, hold them to settings."""

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DJANGO_SERVICES = ("web", "api", "worker", "beat")
DJANGO_ENV = SERVICES["web"]["environment"]
NGINX_CONF = ROOT / "docker" / "nginx.conf"


def command_words(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return command if isinstance(command, list) else shlex.split(command)


def option(words: list[str], name: str) -> str:
    return words[words.index(name) + 1]


def test_web_api_worker_and_beat_share_one_image_definition():
    builds = {repr(SERVICES[name].get("build")) for name in DJANGO_SERVICES}
    images = {SERVICES[name].get("image") for name in DJANGO_SERVICES}
    environments = [SERVICES[name]["environment"] for name in DJANGO_SERVICES]
    assert builds == {"'.'"}
    assert len(images) == 1
    assert all(environment == environments[0] for environment in environments)
    assert (ROOT / "Dockerfile").exists()


def compose_value(value: str) -> str:
    """A compose value as the container sees it: ${X:-default} is the default, ${X:?...} is
    a value the operator must give (a stand-in here)."""
    if match := re.fullmatch(r"\$\{\w+:-(.*)\}", value):
        return match.group(1)
    if re.fullmatch(r"\$\{\w+:\?.*\}", value):
        return "s" * 60
    return value


def production_settings(environment: dict[str, str]) -> dict[str, Any]:
    """What the production settings make of an environment, read from a fresh process."""
    code = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "SECRET_KEY": s.SECRET_KEY, "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS, "DEBUG": s.DEBUG,
    "DATABASE_URL": [db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]],
    "REDIS_URL": [s.REDIS_URL, s.CELERY_BROKER_URL,
                  s.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"]],
    "MEDIA_ROOT": str(s.MEDIA_ROOT), "STATIC_ROOT": str(s.STATIC_ROOT),
    "NUM_PROXIES": s.REST_FRAMEWORK["NUM_PROXIES"],
    "MEDIA_ACCEL_REDIRECT_PREFIX": s.MEDIA_ACCEL_REDIRECT_PREFIX, "DATA_DIR": str(s.DATA_DIR),
    "COMPOSER_MODEL_DIR": str(s.COMPOSER_MODEL_DIR),
    "COMPOSER_CACHE_DIR": str(s.COMPOSER_CACHE_DIR),
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_variable_given_to_django_changes_the_production_settings():
    environment = {name: compose_value(str(value)) for name, value in DJANGO_ENV.items()}
    assert environment["DJANGO_SETTINGS_MODULE"] == "albumvote.settings.production"
    seen = production_settings(environment)
    expected = {
        "SECRET_KEY": environment["SECRET_KEY"],
        "ALLOWED_HOSTS": environment["ALLOWED_HOSTS"].split(","),
        "CSRF_TRUSTED_ORIGINS": [],
        "DEBUG": False,
        "DATABASE_URL": ["albumvote", "albumvote", "postgres", 5432, "albumvote"],
        "REDIS_URL": [environment["REDIS_URL"]] * 3,
        "NUM_PROXIES": int(environment["NUM_PROXIES"]),
        "SECURE_SSL_REDIRECT": False,
    }
    for name in environment:
        if name == "DJANGO_SETTINGS_MODULE":
            continue
        assert name in seen, f"nothing checks what the settings make of {name}"
        assert seen[name] == expected.get(name, environment[name]), name
    assert environment["REDIS_URL"].startswith("redis://redis:6379")
    # Behind nginx, the scheme comes from the proxy's header.
    assert seen["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.parametrize("service", DJANGO_SERVICES)
def test_every_django_service_gets_the_same_environment(service):
    assert SERVICES[service]["environment"] == DJANGO_ENV


def test_commands_run_the_asgi_app_the_worker_queues_and_the_database_scheduler():
    web = " ".join(command_words("web"))
    assert "migrate" in web
    assert "uvicorn albumvote.asgi:application" in web or "daphne albumvote.asgi:application" in web
    api = command_words("api")
    assert api[:2] == ["gunicorn", "albumvote.wsgi:application"]
    assert (ROOT / "albumvote" / "wsgi.py").exists()
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


def test_every_server_a_command_runs_is_a_dependency_of_the_image():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[^A-Za-z0-9_.-]", dependency)[0] for dependency in dependencies}
    assert {"uvicorn", "gunicorn", "celery"} <= names
    for service in DJANGO_SERVICES:
        words = command_words(service)
        program = words[-1].split("&&")[-1].split()[0] if words[0] == "sh" else words[0]
        assert program in names, f"{service} runs {program}, which the image does not install"


def test_django_services_wait_for_healthy_postgres_and_redis():
    for name in DJANGO_SERVICES:
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_api_waits_for_web_to_have_migrated_and_collected_static_files():
    assert SERVICES["api"]["depends_on"]["web"]["condition"] == "service_healthy"
    web = " ".join(command_words("web"))
    assert web.index("migrate") < web.index("uvicorn")
    assert web.index("collectstatic") < web.index("uvicorn")


def server_port(service: str) -> str:
    words = " ".join(command_words(service)).split()
    if "--bind" in words:
        return option(words, "--bind").rpartition(":")[2]
    return option(words, "--port")


@pytest.mark.parametrize("service", ["web", "api"])
def test_the_health_check_url_exists_on_the_port_the_server_listens_on(service, client, db):
    test = " ".join(SERVICES[service]["healthcheck"]["test"])
    path = re.search(rf"http://127\.0\.0\.1:{server_port(service)}(/\S*?)'", test)
    assert path is not None
    response = client.get(path.group(1))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# nginx ------------------------------------------------------------------------------------------


def nginx_blocks(kind: str) -> dict[str, list[list[str]]]:
    """The `kind` blocks (location, upstream, map) of nginx.conf by argument, as directive words."""
    text = re.sub(r"#[^\n]*", "", NGINX_CONF.read_text())
    return {
        match.group(1): [shlex.split(d) for d in match.group(2).split(";") if d.strip()]
        for match in re.finditer(rf"\b{kind}\s+([^{{;]+?)\s*\{{([^{{}}]*)\}}", text)
    }


def directive(block: list[list[str]], name: str) -> list[list[str]]:
    return [words[1:] for words in block if words[0] == name]


def in_volume(service: str, path: str) -> tuple[str, PurePosixPath]:
    """The named volume holding `path` in the service's container, and the path inside it."""
    for mount in SERVICES[service]["volumes"]:
        volume, target = mount.split(":")[:2]
        target_path, wanted = PurePosixPath(target), PurePosixPath(path)
        if wanted == target_path or target_path in wanted.parents:
            return volume, wanted.relative_to(target_path)
    raise AssertionError(f"{path} is in no volume of {service}")


LOCATIONS = nginx_blocks("location")
UPSTREAMS = nginx_blocks("upstream")


def proxy_headers(location: str) -> dict[str, str]:
    return {
        words[0].lower(): words[1] for words in directive(LOCATIONS[location], "proxy_set_header")
    }


def proxied_server(location: str) -> str:
    (target,) = directive(LOCATIONS[location], "proxy_pass")
    upstream = target[0].removeprefix("http://")
    ((server,),) = directive(UPSTREAMS[upstream], "server")
    return server


def test_nginx_runs_the_config_file_in_front_of_web_and_api():
    nginx = SERVICES["nginx"]
    assert NGINX_CONF.exists()
    assert "./docker/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in nginx["volumes"]
    assert any(port.endswith(":80") for port in nginx["ports"])
    assert re.search(r"\blisten\s+80;", NGINX_CONF.read_text())
    for name in ("web", "api"):
        assert nginx["depends_on"][name]["condition"] == "service_healthy"
        assert "ports" not in SERVICES[name], f"{name} must be reached through nginx"
    health = " ".join(nginx["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1(/\S+)", health)
    assert path is not None and f"= {path.group(1)}" in LOCATIONS


def test_nginx_hands_protected_media_from_the_volume_django_writes_to():
    prefix = DJANGO_ENV["MEDIA_ACCEL_REDIRECT_PREFIX"]
    assert prefix.startswith("/") and prefix.endswith("/")
    location = LOCATIONS[prefix]
    assert ["internal"] in location
    ((alias,),) = directive(location, "alias")
    assert alias.endswith("/")
    assert in_volume("nginx", alias) == in_volume("web", DJANGO_ENV["MEDIA_ROOT"])
    assert "media:/data:ro" in SERVICES["nginx"]["volumes"]
    # No other location may expose the media folder: only Django decides who gets a file.
    media = PurePosixPath(alias)
    for path, block in LOCATIONS.items():
        for (folder,) in directive(block, "alias") + directive(block, "root"):
            exposed = PurePosixPath(folder)
            if exposed == media or media in exposed.parents or exposed in media.parents:
                assert ["internal"] in block, f"location {path} serves media to anyone"


def test_nginx_serves_the_static_files_web_collects():
    location = LOCATIONS[settings.STATIC_URL]
    ((alias,),) = directive(location, "alias")
    static_root = DJANGO_ENV["STATIC_ROOT"]
    assert PurePosixPath(alias) == PurePosixPath(static_root)
    assert in_volume("nginx", alias) == in_volume("web", static_root)
    assert "collectstatic" in " ".join(command_words("web"))


def test_nginx_proxies_websockets_to_the_asgi_server_with_the_upgrade_headers():
    from albumvote.routing import websocket_urlpatterns

    assert all(str(route.pattern).startswith("ws/") for route in websocket_urlpatterns)
    location = LOCATIONS["/ws/"]
    assert proxied_server("/ws/") == f"web:{server_port('web')}"
    assert "uvicorn" in " ".join(command_words("web"))
    assert directive(location, "proxy_http_version") == [["1.1"]]
    headers = proxy_headers("/ws/")
    assert headers["upgrade"] == "$http_upgrade"
    assert headers["connection"] == "$connection_upgrade"
    upgrade_map = nginx_blocks("map")["$http_upgrade $connection_upgrade"]
    assert ["default", "upgrade"] in upgrade_map


def test_nginx_sends_every_other_request_to_gunicorn():
    assert proxied_server("/") == f"api:{server_port('api')}"
    assert option(command_words("api"), "--bind") == f"0.0.0.0:{server_port('api')}"
    headers = proxy_headers("/")
    # Django checks ALLOWED_HOSTS and builds links from Host; production trusts the scheme header.
    assert headers["host"] in ("$host", "$http_host")
    assert headers["x-forwarded-proto"] == "$scheme"


def test_nginx_limits_log_in_attempts_per_address():
    from django.urls import reverse

    from albumvote.urls import urlpatterns  # noqa: F401  (the paths below must exist)

    (location,) = [block for path, block in LOCATIONS.items() if "login" in path]
    assert directive(location, "limit_req")[0][0] == "zone=logins"
    assert directive(location, "limit_req_status") == [["429"]]
    assert proxied_server(next(p for p in LOCATIONS if "login" in p)) == f"api:{server_port('api')}"
    zone = re.search(
        r"limit_req_zone\s+\$binary_remote_addr\s+zone=logins:\S+\s+rate=(\S+);",
        NGINX_CONF.read_text(),
    )
    assert zone is not None
    pattern = next(p for p in LOCATIONS if "login" in p).removeprefix("~ ")
    for name in ("curation:login", "curation:signup", "admin:login"):
        assert re.match(pattern, reverse(name)), name
