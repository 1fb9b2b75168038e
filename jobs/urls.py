from django.urls import path

from jobs import views

urlpatterns = [
    path("<uuid:public_id>/", views.job_detail, name="job-detail"),
    path("<uuid:public_id>/status/", views.job_status, name="job-status"),
    path("<uuid:public_id>/download/", views.job_download, name="job-download"),
    path("<uuid:public_id>/cancel/", views.job_cancel_view, name="job-cancel"),
]
