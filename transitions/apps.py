from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "transitions"
    verbose_name = "Transitions and rebalancing"

    def ready(self) -> None:
        from transitions import sections, tasks  # noqa: F401  account page section, batch task
        from transitions.analysis import jobs as analysis_jobs  # noqa: F401  runner, path task
        from transitions.analysis import tasks as analysis_tasks  # noqa: F401
        from transitions.proposals import jobs as proposal_jobs  # noqa: F401  render runner
        from transitions.rebalance import jobs  # noqa: F401  registers the job runners
