"""`manage.py generate_batch --count N [--preset P] [--seed S] [--steer] [--wait]`: launch a
batch (steered by the crowd's preference model with --steer)."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from albumvote.celery import app
from albumvote.exceptions import ApplicationError
from generation import planning, selectors, services
from generation.models import GenerationBatch, Track

TICK_S = 0.5
PLAIN_EVERY_S = 10.0
# A worker started a moment ago may not answer yet; the check starts after this.
FIRST_WORKER_CHECK_S = 4.0
WORKER_CHECK_EVERY_S = 10.0
NO_WORKER_MESSAGE = (
    "No Celery worker is taking the 'generation' queue, so nothing will be composed. "
    "Start one with:\n"
    "  .venv/bin/celery -A albumvote worker -Q generation,default\n"
    "(./run.sh starts one for you.) Still waiting for this batch."
)


def generation_workers() -> list[str]:
    """Names of the workers that answer and take the generation queue."""
    try:
        replies = app.control.inspect(timeout=1.0).active_queues() or {}
    except Exception:  # the broker itself is away; the progress line keeps showing the state
        return []
    return sorted(
        name
        for name, queues in replies.items()
        if any(queue.get("name") == "generation" for queue in queues or [])
    )


class Command(BaseCommand):
    help = "Launch a batch of generated tracks; with --wait, show progress until it ends."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="How many tracks")
        parser.add_argument("--preset", help="Style preset (default: a mix)")
        parser.add_argument("--seed", type=int, help="Base seed, for a repeatable batch")
        parser.add_argument("--temperature", type=float, default=1.0)
        parser.add_argument(
            "--steer",
            action="store_true",
            help="Draw each track's parameters from the crowd's preference model",
        )
        parser.add_argument(
            "--exploration",
            type=float,
            help="With --steer: the share of tracks composed as usual "
            f"(default {planning.EXPLORATION})",
        )
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
        try:
            steer, exploration = planning.steer_options_validate(
                {"steer": options["steer"], "exploration": options["exploration"]}
                if options["exploration"] is not None
                else {"steer": options["steer"]}
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        batch = planning.launch(
            params=params,
            source=GenerationBatch.Source.COMMAND,
            steer=steer,
            exploration=exploration,
        )
        self.stdout.write(f"Launched batch {batch.pk}: {batch.count} track(s).")
        if options["wait"]:
            self._wait(batch, timeout=options["timeout"])

    def _wait(self, batch: GenerationBatch, *, timeout: float) -> None:
        started = time.monotonic()
        tty = sys.stdout.isatty()
        last_counts: dict[str, int] | None = None
        last_print = -PLAIN_EVERY_S
        next_worker_check = FIRST_WORKER_CHECK_S
        warned = False
        while True:
            elapsed = time.monotonic() - started
            counts = selectors.batch_status_counts(batch_id=batch.pk)
            # On a terminal the line redraws in place every tick; in a log, a line is printed
            # when something changed, or every PLAIN_EVERY_S to show it is still waiting.
            if tty or counts != last_counts or elapsed - last_print >= PLAIN_EVERY_S:
                self.stdout.write(progress_line(counts, elapsed), ending="\r" if tty else "\n")
                self.stdout.flush()
                last_counts, last_print = counts, elapsed
            batch.refresh_from_db(fields=["finished_at"])
            if batch.finished_at is not None:
                break
            if elapsed > timeout:
                raise CommandError(f"Batch {batch.pk} did not finish within {timeout:.0f} s.")
            if elapsed >= next_worker_check and counts[Track.Status.QUEUED] == sum(counts.values()):
                next_worker_check = elapsed + WORKER_CHECK_EVERY_S
                consuming = generation_workers()
                if not consuming and not warned:
                    if tty:
                        self.stdout.write("")  # end the line redrawn in place
                    self.stderr.write(NO_WORKER_MESSAGE)
                    warned = True
                elif consuming and warned:
                    self.stdout.write(f"A worker is taking the queue now: {', '.join(consuming)}.")
                    warned = False
            time.sleep(TICK_S)
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
