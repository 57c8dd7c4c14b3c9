"""`manage.py create_producer`: make sure a producer account exists and say how to log in."""

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from albumvote.permissions import PRODUCERS_GROUP

PRODUCER_APPS = ("generation", "curation", "django_celery_beat")


class Command(BaseCommand):
    help = "Create the producers group and a producer account (idempotent); print its log-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="producer")
        parser.add_argument(
            "--credentials-file",
            default=str(Path(settings.DATA_DIR) / "producer-login.txt"),
            help="Where the generated password is kept between runs (mode 600)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        credentials = Path(options["credentials_file"])
        with transaction.atomic():
            group, _ = Group.objects.get_or_create(name=PRODUCERS_GROUP)
            group.permissions.set(
                Permission.objects.filter(content_type__app_label__in=PRODUCER_APPS)
            )
            user_model = get_user_model()
            user = user_model.objects.filter(username=username).first()
            password = _read_password(credentials, username)
            if user is None or password is None or not user.check_password(password):
                password = secrets.token_urlsafe(12)
                if user is None:
                    user = user_model.objects.create_user(username=username, password=password)
                else:
                    user.set_password(password)
                credentials.parent.mkdir(parents=True, exist_ok=True)
                credentials.write_text(f"{username}\n{password}\n")
                credentials.chmod(0o600)
            # Staff as well, so the run command's producer can also look around in the admin.
            user.is_staff = True
            user.save()
            user.groups.add(group)
        self.stdout.write(f"Producer log-in: username '{username}', password '{password}'")


def _read_password(path: Path, username: str) -> str | None:
    try:
        saved_user, password = path.read_text().split("\n")[:2]
    except (FileNotFoundError, ValueError):
        return None
    return password if saved_user == username else None
