from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "transitions"

    def ready(self) -> None:
        from transitions.analysis import jobs, tasks  # noqa: F401  (job runner, path task)
        from transitions.proposals import jobs as proposal_jobs  # noqa: F401  (render runner)
