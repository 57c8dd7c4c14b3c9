"""manage.py train_composer: parse the corpus (cached) and write a new composer model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.composer import COLLECTIONS, ComposerError, ModelNotFoundError, train
from generation.composer.model import current_artifact


class Command(BaseCommand):
    help = (
        "Train the composer on public-domain collections from music21's corpus. "
        "Parsed files are cached in COMPOSER_CACHE_DIR; the model goes to COMPOSER_MODEL_DIR."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--collections",
            nargs="+",
            metavar="NAME",
            help="collections to train on (default: COMPOSER_DEFAULT_COLLECTIONS); "
            f"valid: {', '.join(COLLECTIONS)}. 'essen' is licensed for non-commercial use only.",
        )
        parser.add_argument(
            "--limit", type=int, default=None, help="at most this many pieces per collection"
        )
        parser.add_argument("--workers", type=int, default=2, help="parser processes (default 2)")
        parser.add_argument(
            "--force", action="store_true", help="ignore the parse cache and parse every file again"
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when a current model already exists (used by run.sh)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["collections"] or list(settings.COMPOSER_DEFAULT_COLLECTIONS)
        unknown = [n for n in names if n not in COLLECTIONS]
        if unknown:
            raise CommandError(
                f"unknown collection(s): {', '.join(unknown)}. "
                f"Valid collections: {', '.join(COLLECTIONS)}"
            )
        model_dir = Path(settings.COMPOSER_MODEL_DIR)
        if options["if_missing"]:
            try:
                existing = current_artifact(model_dir)
            except ModelNotFoundError:
                pass
            else:
                self.stdout.write(f"composer model already present: {existing}; not retraining")
                return
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1")
        workers = options["workers"]
        if workers < 1:
            raise CommandError("--workers must be at least 1")

        def progress(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        progress(f"training composer on: {', '.join(names)}")
        try:
            result = train(
                names,
                cache_dir=Path(settings.COMPOSER_CACHE_DIR),
                model_dir=model_dir,
                limit=limit,
                workers=workers,
                progress=progress,
                force=options["force"],
            )
        except ComposerError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"model {result.version} written to {result.path} in {result.seconds:.1f} s: "
                f"{result.pieces} pieces, {result.tokens} tokens "
                f"({result.parsed_fresh} files parsed, {result.parsed_from_cache} from cache)"
            )
        )
