"""The README's run command, run as a person would: it comes up, serves music, and stops."""

import http.cookiejar
import os
import re
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.conftest import TEST_REDIS_URL, redis_reachable, require_service
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def start_run(tmp_path: Path, redis_url: str) -> tuple[subprocess.Popen[str], str, str]:
    """Start ./run.sh and read its output until it has printed the URL and the log-in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "COMPOSER_", "MEDIA_", "CELERY_"))
    }
    env.update(
        DATA_DIR=str(tmp_path / "data"),
        PORT=str(free_port()),
        REDIS_URL=redis_url,
        FIRST_BATCH="1",
        # A small collection keeps the model build to seconds; the rest is the real thing.
        COMPOSER_DEFAULT_COLLECTIONS="miscFolk",
    )
    process = subprocess.Popen(
        ["./run.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, like a terminal's foreground job
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


def stop(process: subprocess.Popen[str]) -> None:
    """Ctrl-C, as a person would; every process it started must end."""
    children = psutil.Process(process.pid).children(recursive=True)
    assert children, "run.sh started no processes"
    commands = {child.pid: " ".join(child.cmdline()) for child in children}
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired as error:
        _, alive = psutil.wait_procs(children, timeout=0)
        process.kill()
        still = [commands[p.pid] for p in alive]
        raise AssertionError(f"run.sh still stopping: {still}") from error
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, f"still running after Ctrl-C: {[commands[p.pid] for p in alive]}"


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


def test_run_brings_up_web_worker_and_beat_with_a_first_batch(tmp_path):
    require_service("Redis", redis_reachable())
    process, output, base = start_run(tmp_path, TEST_REDIS_URL)
    try:
        assert "Starting Celery worker" in output
        assert "Redis is not reachable" not in output
        assert "training composer on: miscFolk" in output
        assert "1/1 done" in output and "finished: 1 ready" in output
        check_site(base, output)
        children = psutil.Process(process.pid).children(recursive=True)
        commands = " ".join(" ".join(child.cmdline()) for child in children)
        assert "uvicorn albumvote.asgi:application" in commands
        assert "albumvote worker" in commands and "albumvote beat" in commands
    finally:
        stop(process)


def test_run_works_without_redis_and_says_so(tmp_path):
    process, output, base = start_run(tmp_path, "redis://127.0.0.1:1/0")
    try:
        assert "Redis is not reachable" in output
        assert "tasks run in-process" in output
        assert "Starting Celery worker" not in output
        check_site(base, output)
    finally:
        stop(process)
