"""Estimate and store a risk model from the stored closes."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portfolios.services import risk_model_build


class Command(BaseCommand):
    help = "Estimate the statistical factor risk model from stored prices and store it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: latest)"
        )

    def handle(self, *args, as_of=None, **options):
        def progress(percent: int, message: str = "") -> None:
            if options.get("verbosity", 1) > 1:
                self.stdout.write(f"{percent:3d}% {message}")

        try:
            model = risk_model_build(as_of=as_of, progress=progress)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        label = " (SYNTHETIC prices)" if model.is_synthetic else ""
        self.stdout.write(
            self.style.SUCCESS(f"{model}, {model.n_days} days of returns{label}: {model.method}.")
        )
