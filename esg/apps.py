from django.apps import AppConfig


class EsgConfig(AppConfig):
    name = "esg"
    verbose_name = "ESG categories and customizations"

    def ready(self) -> None:
        # Registrations: the job runners, the listener that refreshes targets when reference
        # data changes, the account page's customization section.
        from esg import jobs, listeners, sections  # noqa: F401
