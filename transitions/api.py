"""REST API of this area; viewsets listed in API_ROUTES are registered under /api/."""

from transitions.analysis.api import API_ROUTES as _ANALYSIS_API_ROUTES

API_ROUTES: list = []

# Transition analyses (issue 11): transitions/analysis/api.py
API_ROUTES += _ANALYSIS_API_ROUTES

# Proposals (issue 12): transitions/proposals/api.py
from transitions.proposals.api import API_ROUTES as _PROPOSAL_API_ROUTES  # noqa: E402

API_ROUTES += _PROPOSAL_API_ROUTES
