"""manage.py tune_composer: train a crowd-tuned candidate composer version now (and, with
--duel, a duel batch against the current version for the arena to judge)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from albumvote.exceptions import ApplicationError
from curation.steering.tuning import composer_tune
from generation.duels import duel_launch
from generation.models import GenerationBatch


class Command(BaseCommand):
    help = (
        "Train a crowd-tuned composer version: the corpus plus the tracks the crowd approved, "
        "weighted by crowd score. It is a candidate until it wins its arena duel or is promoted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--duel",
            type=int,
            metavar="PAIRS",
            help="then launch a duel batch of this many same-parameter pairs against the "
            "current version",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = composer_tune()
            training = version.training
            self.stdout.write(
                self.style.SUCCESS(
                    f"candidate {version.version} ({version.status}): "
                    f"{training['corpus_pieces']} corpus pieces + {len(training['tuned'])} "
                    f"tuned tracks (weight {training['tuned_weight']}), "
                    f"{len(training['skipped'])} skipped, {training['seconds']} s"
                )
            )
            if options["duel"] is not None:
                batch = duel_launch(
                    candidate_id=version.pk,
                    pairs=options["duel"],
                    source=GenerationBatch.Source.COMMAND,
                )
                self.stdout.write(f"duel batch {batch.pk}: {batch.count // 2} pairs queued")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
