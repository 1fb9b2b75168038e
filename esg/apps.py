from django.apps import AppConfig


class EsgConfig(AppConfig):
    name = "esg"
    verbose_name = "ESG categories and customizations"

    def ready(self) -> None:
        from esg import jobs  # noqa: F401  registers the job runners
