"""Import daily closes from a `date,ticker,close` CSV (all-or-nothing, idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portfolios.imports import ImportRejected
from portfolios.services import prices_import


class Command(BaseCommand):
    help = (
        "Import daily closes from a CSV with columns date,ticker,close. The file is checked "
        "whole first and rejected with every problem listed by row; re-importing changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file: date (YYYY-MM-DD), ticker, close")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            result = prices_import(source=file)
        except ImportRejected as error:
            raise CommandError("\n".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Imported {result}."))
