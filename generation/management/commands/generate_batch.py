"""`manage.py generate_batch --count N [--preset P] [--seed S] [--wait]`: launch a batch."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from albumvote.exceptions import ApplicationError
from generation import selectors, services
from generation.models import GenerationBatch, Track


class Command(BaseCommand):
    help = "Launch a batch of generated tracks; with --wait, show progress until it ends."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="How many tracks")
        parser.add_argument("--preset", help="Style preset (default: a mix)")
        parser.add_argument("--seed", type=int, help="Base seed, for a repeatable batch")
        parser.add_argument("--temperature", type=float, default=1.0)
        parser.add_argument("--wait", action="store_true", help="Show progress until done")
        parser.add_argument("--timeout", type=float, default=3600, help="Seconds to wait at most")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = {"count": options["count"], "temperature": options["temperature"]}
        if options["preset"]:
            raw["preset"] = options["preset"]
        if options["seed"] is not None:
            raw["seed"] = options["seed"]
        try:
            params = services.batch_params_validate(raw)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        batch = services.batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
        self.stdout.write(f"Launched batch {batch.pk}: {batch.count} track(s).")
        if options["wait"]:
            self._wait(batch, timeout=options["timeout"])

    def _wait(self, batch: GenerationBatch, *, timeout: float) -> None:
        started = time.monotonic()
        last_line = ""
        while True:
            counts = selectors.batch_status_counts(batch_id=batch.pk)
            line = progress_line(counts, time.monotonic() - started)
            if line != last_line:
                self.stdout.write(line, ending="\n" if not sys.stdout.isatty() else "\r")
                self.stdout.flush()
                last_line = line
            batch.refresh_from_db(fields=["finished_at"])
            if batch.finished_at is not None:
                break
            if time.monotonic() - started > timeout:
                raise CommandError(f"Batch {batch.pk} did not finish within {timeout:.0f} s.")
            time.sleep(0.5)
        self.stdout.write("")
        ready = counts[Track.Status.READY]
        failed = counts[Track.Status.FAILED]
        self.stdout.write(
            f"Batch {batch.pk} finished: {ready} ready, "
            f"{counts[Track.Status.REJECTED]} rejected, {failed} failed."
        )
        if failed:
            errors = Track.objects.filter(batch=batch, status=Track.Status.FAILED).values_list(
                "position", "error"
            )
            for position, error in errors[:5]:
                self.stderr.write(f"  track {position}: {error}")
        if ready == 0:
            raise CommandError("No track of the batch is ready.")


def progress_line(counts: dict[str, int], elapsed: float, width: int = 24) -> str:
    total = sum(counts.values()) or 1
    done = sum(counts[s] for s in Track.TERMINAL)
    filled = round(width * done / total)
    bar = "#" * filled + "." * (width - filled)
    parts = [f"{counts[s]} {s}" for s in Track.Status.values if counts[s]]
    return f"[{bar}] {done}/{total} done · {' · '.join(parts)} · {elapsed:.0f} s"
