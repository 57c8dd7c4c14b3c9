"""Management commands: generate_batch (with --wait progress) and create_producer."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from albumvote.permissions import is_producer
from generation import composer, dispatch
from generation.models import GenerationBatch, Track

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


def test_generate_batch_wait_shows_progress_until_the_batch_ends(model_settings, settings):
    # With no broker the run command's fallback runs tasks in-process, on a thread.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    out = StringIO()
    preset = sorted(composer.PRESETS)[0]
    call_command("generate_batch", "--count", "2", "--preset", preset, "--wait", stdout=out)
    text = out.getvalue()
    assert "0/2 done" in text
    assert "2/2 done" in text
    assert "finished: 2 ready, 0 rejected, 0 failed" in text
    assert Track.objects.filter(status=Track.Status.READY).count() == 2


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
