"""`manage.py form8949`: a thin wrapper over pma_engine.tax.cli; it never touches the database."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from pma_engine.tax.cli import form8949_arguments_add, form8949_run


class Command(BaseCommand):
    help = (
        "Form 8949 rows (or, with --open-lots, the lots left) of a household's transactions CSV, "
        "printed as CSV. Header: date,account,account_type,action,ticker,shares,amount,lot."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        form8949_arguments_add(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        status = form8949_run(
            transactions=options["transactions"],
            method=options["method"],
            year=options["year"],
            open_lots=options["open_lots"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        if status:
            # The engine already wrote the reasons to stderr; only the exit status is left.
            raise SystemExit(status)
