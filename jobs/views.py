"""Job status for the progress bar, the job's output file, and cancelling a job."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.tenancy import ALL_FIRM_ROLES, firm_view
from jobs.models import JobStatus
from jobs.selectors import access_job, access_job_for_write
from jobs.services import job_cancel


@firm_view(roles=ALL_FIRM_ROLES)
def job_detail(request, public_id):
    job = access_job(user=request.user, id=public_id)
    can_cancel = job.is_cancellable and job.created_by_id == request.user.pk
    return render(request, "jobs/job_detail.html", {"job": job, "can_cancel": can_cancel})


@firm_view(roles=ALL_FIRM_ROLES)
def job_status(request, public_id):
    job = access_job(user=request.user, id=public_id)
    return JsonResponse(
        {
            "id": str(job.public_id),
            "status": job.status,
            "progress": job.progress,
            "message": job.message,
            "error": job.error if job.status == JobStatus.FAILED else "",
            "result_url": job.result.get("url", ""),
            "download_url": (f"/jobs/{job.public_id}/download/" if job.output else ""),
        }
    )


@firm_view(roles=ALL_FIRM_ROLES)
def job_download(request, public_id):
    job = access_job(user=request.user, id=public_id)
    if not job.output:
        raise Http404("This job has no file.")
    return FileResponse(job.output.open("rb"), as_attachment=True, filename=job.output_name)


@firm_view
@require_POST
def job_cancel_view(request, public_id):
    job = access_job_for_write(user=request.user, id=public_id)
    try:
        job = job_cancel(job=job, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Cancelled." if job.status == JobStatus.CANCELLED else "Stopping the job…",
        )
    return redirect("job-detail", public_id=job.public_id)
