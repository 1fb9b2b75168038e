"""Import a strategy's model weights from a `ticker,weight` CSV as a new version."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portfolios.imports import ImportRejected
from portfolios.models import Strategy
from portfolios.services import strategy_weights_import


class Command(BaseCommand):
    help = (
        "Import model weights (CSV columns ticker,weight; weights sum to 1 within 1e-6) as a "
        "new version of the strategy. All-or-nothing: any problem rejects the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the strategy's slug, e.g. di-large-cap")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--effective-date", type=date.fromisoformat, default=None, help="YYYY-MM-DD (today)"
        )
        parser.add_argument("--note", default="", help="a note stored with the version")

    def handle(self, *args, slug: str, file: Path, effective_date=None, note="", **options):
        strategy = Strategy.objects.filter(slug=slug).first()
        if strategy is None:
            known = ", ".join(Strategy.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No strategy {slug!r}. Known: {known}.")
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            version = strategy_weights_import(
                strategy=strategy, source=file, effective_date=effective_date, note=note
            )
        except ImportRejected as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{version}: {version.weights.count()} names, effective {version.effective_date}."
            )
        )
