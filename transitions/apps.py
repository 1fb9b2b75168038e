from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "transitions"
    verbose_name = "Transitions and rebalancing"

    def ready(self) -> None:
        from transitions import sections, tasks  # noqa: F401  account page section, batch task
        from transitions.rebalance import jobs  # noqa: F401  registers the job runners
