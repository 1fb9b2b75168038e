"""The API router. Apps add their viewsets here, so every route is under /api/ and visited by
the generated isolation tests."""

from rest_framework.routers import DefaultRouter

from accounts.api import AccountViewSet, AdvisorViewSet, ClientViewSet
from jobs.api import JobViewSet

router = DefaultRouter()
router.register("clients", ClientViewSet, basename="api-client")
router.register("accounts", AccountViewSet, basename="api-account")
router.register("advisors", AdvisorViewSet, basename="api-advisor")
router.register("jobs", JobViewSet, basename="api-job")
