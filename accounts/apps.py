from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Firms, users, clients and accounts"

    def ready(self) -> None:
        from accounts import jobs  # noqa: F401  registers the job runners
