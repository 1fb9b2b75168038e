"""Sync the security master from the bundled S&P 500 / S&P 600 data (idempotent)."""

from django.core.management.base import BaseCommand

from pma_engine.securities import DATA_CREDIT
from portfolios.services import security_master_sync


class Command(BaseCommand):
    help = (
        "Upsert the S&P 500 and S&P 600 members into the security master; names that left "
        "are deactivated, firms' legacy securities are untouched."
    )

    def handle(self, *args, **options):
        result = security_master_sync()
        self.stdout.write(self.style.SUCCESS(f"Security master: {result}."))
        self.stdout.write(DATA_CREDIT)
