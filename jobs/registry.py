"""Which service runs each kind of job. Apps register their runners at import time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JobRunner = Callable[..., dict[str, Any] | None]
_RUNNERS: dict[str, JobRunner] = {}


class JobError(Exception):
    """A failure a user can act on: its message is shown as the job's reason."""


def job_runner(kind: str) -> Callable[[JobRunner], JobRunner]:
    """Register `func(job=..., progress=...)` as the runner of jobs of `kind`."""

    def register(func: JobRunner) -> JobRunner:
        _RUNNERS[kind] = func
        return func

    return register


def runner_for(kind: str) -> JobRunner:
    try:
        return _RUNNERS[kind]
    except KeyError as exc:
        raise JobError(f"Unknown job kind {kind!r}.") from exc


def registered_kinds() -> list[str]:
    return sorted(_RUNNERS)
