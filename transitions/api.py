"""REST API of this area; viewsets listed in API_ROUTES are registered under /api/."""

from transitions.analysis.api import API_ROUTES as _ANALYSIS_API_ROUTES
from transitions.proposals.api import API_ROUTES as _PROPOSAL_API_ROUTES
from transitions.rebalance.api import API_ROUTES as REBALANCE_ROUTES

# Rebalancing (issue 10): transitions/rebalance/api.py; analyses (issue 11): transitions/analysis/;
# proposals (issue 12): transitions/proposals/
API_ROUTES: list = [*REBALANCE_ROUTES, *_ANALYSIS_API_ROUTES, *_PROPOSAL_API_ROUTES]
