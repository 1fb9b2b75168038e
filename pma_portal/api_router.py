"""The API router. Each app lists its viewsets in `API_ROUTES` of its `api.py`; every route is
then under /api/ and walked by the generated isolation tests."""

from importlib import import_module

from rest_framework.routers import DefaultRouter

API_MODULES = ("accounts.api", "jobs.api", "portfolios.api", "esg.api", "transitions.api")

router = DefaultRouter()
for module_name in API_MODULES:
    for prefix, viewset, basename in getattr(import_module(module_name), "API_ROUTES", ()):
        router.register(prefix, viewset, basename=basename)
