"""Load a SYNTHETIC (simulated) price history for the active master securities."""

from django.core.management.base import BaseCommand

from portfolios.services import DEMO_PRICE_SEED, prices_synthetic_generate


class Command(BaseCommand):
    help = (
        "Simulate daily closes (seeded multi-factor model) for every active master security and "
        "load them with source 'synthetic'. Imported prices are never overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=2520, help="business days (2520: 10 y)")
        parser.add_argument("--seed", type=int, default=DEMO_PRICE_SEED)

    def handle(self, *args, days: int, seed: int, **options):
        result = prices_synthetic_generate(n_days=days, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.rows} SYNTHETIC closes for {result.securities} securities, "
                f"{result.first_date} to {result.last_date} (seed {result.seed})."
            )
        )
