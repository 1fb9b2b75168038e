"""Load the demo: security master, prices, risk model, strategies, ESG lists, firms and lots."""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, demo_firms_seed
from pma_portal.demo import demo_steps


class Command(BaseCommand):
    help = "Load the demo data (idempotent): run it again and nothing is duplicated."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quick", action="store_true", help="A smaller price history (for tests)."
        )

    def handle(self, *args, quick: bool = False, **options):
        for title, step in demo_steps(quick=quick, before_firms=True):
            self.stdout.write(f"· {title}")
            step()
        self.stdout.write("· firms, advisors, clients and accounts")
        logins = demo_firms_seed()
        for title, step in demo_steps(quick=quick, before_firms=False):
            self.stdout.write(f"· {title}")
            step()
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        for login in logins:
            note = f"  ({login.note})" if login.note else ""
            self.stdout.write(f"  {login.username:<18} {login.role:<15} {login.firm}{note}")
