"""The README's run command, run as a person would: it comes up, serves music, and stops."""

import http.cookiejar
import os
import re
import signal
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
from django.db import connection

from tests.conftest import TEST_REDIS_URL, database_url, redis_reachable, require_service
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_run(tmp_path: Path, **services: str) -> tuple[subprocess.Popen[str], str, str]:
    """Start ./run.sh and read its output until it has printed the URL and the log-in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "COMPOSER_", "MEDIA_", "CELERY_", "REDIS_", "TEST_")
        )
    }
    env.update(
        DATA_DIR=str(tmp_path / "data"),
        PORT=str(free_port()),
        FIRST_BATCH="1",
        # A small collection keeps the model build to seconds; the rest is the real thing.
        COMPOSER_DEFAULT_COLLECTIONS="miscFolk",
        **services,
    )
    process = subprocess.Popen(
        ["./run.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a terminal's foreground job
        # Ctrl-C as a terminal delivers it. A suite started in the background (`.ci/run &`)
        # ignores SIGINT, and a shell cannot trap a signal ignored when it started: run.sh
        # would then never hear the Ctrl-C this test sends.
        preexec_fn=_interruptible,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C stops everything" in line:
            output = "".join(lines)
            match = re.search(r"AlbumVote is up:\s+(http://\S+)", output)
            assert match is not None, output
            return process, output, match.group(1)
    process.kill()
    raise AssertionError("run.sh did not come up:\n" + "".join(lines))


def stop(process: subprocess.Popen[str]) -> str:
    """Ctrl-C, as a person would: every process it started must end, and it says it stopped.
    Returns what it printed after Ctrl-C."""
    children = psutil.Process(process.pid).children(recursive=True)
    assert children, "run.sh started no processes"
    commands = command_lines(process)
    os.killpg(process.pid, signal.SIGINT)
    try:
        rest, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired as error:
        _, alive = psutil.wait_procs(children, timeout=0)
        process.kill()
        for child in alive:  # in their own process groups, they would outlive the test
            child.kill()
        still = [commands.get(p.pid, str(p.pid)) for p in alive]
        raise AssertionError(f"run.sh still stopping: {still}") from error
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, f"still running after Ctrl-C: {[commands.get(p.pid) for p in alive]}"
    # Web, worker and beat stopped on their own (nothing forced) and it says so, instead of
    # "A process stopped; see logs" as if something had crashed.
    assert "Forcing" not in rest, rest
    assert "ended on its own" not in rest and "A process stopped" not in rest, rest
    assert rest.rstrip().endswith("Stopped\x1b[0m"), rest
    return rest


def command_lines(process: subprocess.Popen[str]) -> dict[int, str]:
    """The command line of each process run.sh started (one that just exited has none)."""
    lines = {}
    for child in psutil.Process(process.pid).children(recursive=True):
        try:
            lines[child.pid] = " ".join(child.cmdline())
        except psutil.Error:
            lines[child.pid] = ""
    return lines


def processes_using(folder: Path) -> list[str]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        line = " ".join(proc.info["cmdline"] or [])
        if str(folder) in line:
            found.append(line)
    return found


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """A new, empty database on the tests' PostgreSQL server, for run.sh to use."""
    require_service("PostgreSQL", connection.vendor == "postgresql")
    name = f"runcmd_{uuid.uuid4().hex[:10]}"
    admin = psycopg_url({**connection.settings_dict, "NAME": "postgres"})
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url({**connection.settings_dict, "NAME": name})
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def psycopg_url(db: dict) -> str:
    return database_url(db).replace("postgres://", "postgresql://", 1)


def log_in(base: str, username: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "admin/login/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": "/admin/",
        }
    ).encode()
    request = urllib.request.Request(base + "admin/login/", data=form, headers={"Referer": base})
    return opener.open(request).read().decode()


def check_site(base: str, output: str) -> None:
    home = urllib.request.urlopen(base).read().decode()
    track_ids = set(re.findall(r'href="/tracks/(\d+)/"', home))
    assert len(track_ids) == 1, "the home page should list the one track of the first batch"
    audio_url = f"{base}tracks/{track_ids.pop()}/audio.mp3"
    with urllib.request.urlopen(audio_url) as response:
        assert response.headers["Content-Type"] == "audio/mpeg"
        assert len(response.read()) > 100_000
    login = re.search(r"username '(\w+)', password '([^']+)'", output)
    assert login is not None, output
    assert "Site administration" in log_in(base, *login.groups())


def test_run_uses_the_configured_services_and_brings_up_web_worker_and_beat(
    tmp_path, fresh_database
):
    require_service("Redis", redis_reachable())
    process, output, base = start_run(
        tmp_path, DATABASE_URL=fresh_database, REDIS_URL=TEST_REDIS_URL
    )
    try:
        assert "Using PostgreSQL: DATABASE_URL; Redis: REDIS_URL" in output
        assert "Starting Celery worker" in output
        assert "training composer on: miscFolk" in output
        assert "1/1 done" in output and "finished: 1 ready" in output
        check_site(base, output)
        commands = " ".join(command_lines(process).values())
        assert "uvicorn albumvote.asgi:application" in commands
        assert "albumvote worker" in commands and "albumvote beat" in commands
        # Ctrl-C reaches run.sh alone, whose trap stops the three: had it reached them too,
        # one could end before the trap ran and be reported as a crash (seen under load).
        three = ("uvicorn albumvote.asgi", "albumvote worker", "albumvote beat")
        for pid, command in command_lines(process).items():
            if any(name in command for name in three) and psutil.Process(pid).ppid() == process.pid:
                assert os.getpgid(pid) != os.getpgid(process.pid), command
    finally:
        stop(process)


def test_run_starts_embedded_postgres_and_redis_when_none_answers(tmp_path):
    """A laptop with neither: the probes of the usual local servers find nothing, so run.sh
    starts PostgreSQL and Redis under data/ and stops them on Ctrl-C."""
    process, output, base = start_run(
        tmp_path, ALBUMVOTE_PROBE_POSTGRES="127.0.0.1:1", ALBUMVOTE_PROBE_REDIS="127.0.0.1:1"
    )
    data = tmp_path / "data"
    try:
        assert f"PostgreSQL: embedded, data in {data / 'postgres'}; Redis: embedded" in output
        assert "Starting Celery worker" in output
        assert "finished: 1 ready" in output
        check_site(base, output)
        assert any("postgres" in line for line in processes_using(data / "postgres"))
    finally:
        # Redis is a child of run.sh, which stop() waits for; PostgreSQL is a daemon.
        stop(process)
    assert processes_using(data) == []
    assert not (data / "services.env").exists()
