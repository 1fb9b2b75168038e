from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "transitions"
    verbose_name = "Transitions and rebalancing"

    def ready(self) -> None:
        from transitions import tasks  # noqa: F401  the batch task
        from transitions.rebalance import jobs  # noqa: F401  registers the job runners
