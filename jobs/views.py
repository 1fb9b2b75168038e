"""Job status for the progress bar, and the job's output file."""

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render

from accounts.tenancy import ALL_FIRM_ROLES, access_object, firm_view
from jobs.models import Job, JobStatus


@firm_view(roles=ALL_FIRM_ROLES)
def job_detail(request, public_id):
    job = access_object(Job.objects, user=request.user, public_id=public_id)
    return render(request, "jobs/job_detail.html", {"job": job})


@firm_view(roles=ALL_FIRM_ROLES)
def job_status(request, public_id):
    job = access_object(Job.objects, user=request.user, public_id=public_id)
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
    job = access_object(Job.objects, user=request.user, public_id=public_id)
    if not job.output:
        raise Http404("This job has no file.")
    return FileResponse(job.output.open("rb"), as_attachment=True, filename=job.output_name)
