from django.contrib import admin

from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "firm", "status", "progress", "created_at", "finished_at"]
    list_filter = ["kind", "status", "firm"]
    readonly_fields = [f.name for f in Job._meta.fields]
