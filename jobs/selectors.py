"""Reads of jobs: one job the user may see (404 otherwise), or may cancel."""

from __future__ import annotations

from django.http import Http404

from accounts.scoping import access_object
from jobs.models import Job


def access_job(*, user, id) -> Job:  # noqa: A002 (the house's access_<thing>(user=, id=))
    """A job the user may see: their own, or any of the firm's for a firm admin."""
    return access_object(Job.objects.select_related("created_by"), user=user, public_id=id)


def access_job_for_write(*, user, id) -> Job:  # noqa: A002
    """A job the user may act on (cancel): only whoever started it; 404 otherwise, so that an
    admin who can see a colleague's job is not told more than "not found" either."""
    job = access_job(user=user, id=id)
    if job.created_by_id != user.pk:
        raise Http404("Not found.")
    return job
