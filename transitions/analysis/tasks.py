"""Celery task of one simulated path: thin, takes ids, safe to deliver twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from transitions.analysis.models import AnalysisStatus, TransitionAnalysis
from transitions.analysis.paths import path_execute, runner_name


@shared_task(
    name="transitions.analysis.path_run",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def analysis_path_run(analysis_pk: int, path_index: int) -> str:
    """Run path `path_index` of a running analysis, unless it ran already (then do nothing).
    The payload it reads was written by the analysis' own job; the firm is the analysis'."""
    if not TransitionAnalysis.objects.filter(
        pk=analysis_pk, status=AnalysisStatus.RUNNING
    ).exists():
        return "skipped: analysis not running"
    return path_execute(analysis_pk=analysis_pk, path_index=path_index, runner=runner_name("task"))
