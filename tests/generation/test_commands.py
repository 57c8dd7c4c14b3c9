"""Management commands: generate_batch (with --wait progress) and create_producer."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from albumvote.permissions import is_producer
from generation import dispatch
from generation.models import GenerationBatch

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


def test_generate_batch_refuses_bad_parameters_clearly():
    with pytest.raises(CommandError, match="count must be between 1 and"):
        call_command("generate_batch", "--count", "0")
    with pytest.raises(CommandError, match=r"[Uu]nknown preset"):
        call_command("generate_batch", "--count", "2", "--preset", "zydeco-on-ice")
    with pytest.raises(CommandError, match="seed must be a whole number from 0"):
        call_command("generate_batch", "--count", "2", "--seed", "-3")
    assert GenerationBatch.objects.count() == 0


def test_generate_batch_launches_without_waiting(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: sent.extend(ids))
    out = StringIO()
    call_command("generate_batch", "--count", "3", "--seed", "8", stdout=out)
    batch = GenerationBatch.objects.get()
    assert f"Launched batch {batch.pk}: 3 track(s)." in out.getvalue()
    assert len(sent) == 3
    assert batch.source == GenerationBatch.Source.COMMAND


@pytest.mark.slow
def test_generate_batch_wait_says_when_no_worker_takes_the_queue(
    redis_url: str, subprocess_env: dict[str, str]
) -> None:
    """Against a broker nobody consumes, --wait once printed "0/2 done · 2 queued" every second,
    forever. It must say that no worker is there, with the command that starts one, and in a
    log (not a terminal) print a line only on change or every 10 s."""
    env = {**subprocess_env, "CELERY_BROKER_URL": redis_url}
    command = [sys.executable, "manage.py", "generate_batch", "--count", "2", "--wait"]
    process = subprocess.Popen(
        [*command, "--timeout", "25"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=120)
    finally:
        process.kill()
    assert "No Celery worker is taking the 'generation' queue" in output, output
    assert "celery -A albumvote worker -Q generation,default" in output
    progress = [line for line in output.splitlines() if "done ·" in line]
    # 25 s of waiting with nothing changing: the first line and one every 10 s.
    assert 1 <= len(progress) <= 4, output
    assert "did not finish within 25 s" in output


def test_create_producer_is_idempotent_and_prints_a_working_login(tmp_path: Path):
    credentials = tmp_path / "login.txt"
    first, second = StringIO(), StringIO()
    call_command("create_producer", "--credentials-file", str(credentials), stdout=first)
    call_command("create_producer", "--credentials-file", str(credentials), stdout=second)
    assert first.getvalue() == second.getvalue()
    password = first.getvalue().split("password '")[1].split("'")[0]
    user = authenticate(username="producer", password=password)
    assert user is not None and is_producer(user) and user.is_staff
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"
