"""A Celery worker process for the killed-worker tests (`python -m tests.job_worker`).

It listens on TEST_QUEUE only. With TEST_PAUSE_AT_PERCENT it sleeps TEST_PAUSE_SECONDS after
the progress call of that percent, so that the test can SIGKILL it at a known point of a job
(inside the import's transaction, or after its commit). With TEST_PAUSE_IN_SOLVE_SECONDS it
sleeps that long inside the first rebalance solve it meets (a batch account), after writing its
pid to TEST_PAUSE_MARKER. With TEST_BEAT_SCHEDULE it also runs Celery beat (the reapers)
embedded.
"""

from __future__ import annotations

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pma_portal.settings")
django.setup()

from jobs import services  # noqa: E402
from pma_portal.celery import app  # noqa: E402

PAUSE_AT = int(os.environ.get("TEST_PAUSE_AT_PERCENT", "-1"))
PAUSE_SECONDS = float(os.environ.get("TEST_PAUSE_SECONDS", "60"))

if PAUSE_AT >= 0:
    _progress = services.job_progress

    def _progress_then_pause(*, job, percent, message="", writer):
        _progress(job=job, percent=percent, message=message, writer=writer)
        if percent == PAUSE_AT:
            time.sleep(PAUSE_SECONDS)

    services.job_progress = _progress_then_pause

SOLVE_PAUSE_SECONDS = float(os.environ.get("TEST_PAUSE_IN_SOLVE_SECONDS", "0"))

if SOLVE_PAUSE_SECONDS > 0:
    from pathlib import Path

    from transitions.rebalance import compute

    _solve = compute.rebalance_solve

    def _pause_then_solve(problem):
        Path(os.environ["TEST_PAUSE_MARKER"]).write_text(str(os.getpid()))
        time.sleep(SOLVE_PAUSE_SECONDS)
        return _solve(problem)

    compute.rebalance_solve = _pause_then_solve


def main() -> None:
    queue = os.environ["TEST_QUEUE"]
    app.conf.task_default_queue = queue
    argv = [
        "worker",
        "--pool=solo",
        "--concurrency=1",
        f"--queues={queue}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--hostname={queue}-{os.getpid()}@localhost",
    ]
    schedule = os.environ.get("TEST_BEAT_SCHEDULE")
    if schedule:
        argv += ["--beat", f"--schedule={schedule}"]
    app.worker_main(argv)


if __name__ == "__main__":
    main()
