from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "portfolios"
    verbose_name = "Portfolios"

    def ready(self) -> None:
        from portfolios import (
            jobs,  # noqa: F401  registers the job runners
            sections,  # noqa: F401  the account page's risk section
        )
        from portfolios.lots import jobs as lots_jobs  # noqa: F401  the holdings import job
