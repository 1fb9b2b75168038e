from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import TokenView
from pma_portal.api_router import router

admin.site.site_header = "PMA platform administration"
admin.site.site_title = "PMA platform"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script from a URL: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(router.urls)),
    path("jobs/", include("jobs.urls")),
    path("", include("portfolios.urls")),
    path("", include("esg.urls")),
    path("", include("transitions.urls")),
    path("", include("accounts.urls")),
]

# Stored files (holdings uploads, job outputs) are never served by a catch-all, in any mode:
# they leave only through views that check access (jobs.views.job_download).


def _not_found(request, exception):
    """A URL that matches no route: JSON under /api/ (as the schema documents), else the page."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


handler404 = _not_found
