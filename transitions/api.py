"""REST API of this area; viewsets listed in API_ROUTES are registered under /api/."""

from transitions.analysis.api import API_ROUTES as _ANALYSIS_API_ROUTES

API_ROUTES: list = []

# Transition analyses (issue 11): transitions/analysis/api.py
API_ROUTES += _ANALYSIS_API_ROUTES
