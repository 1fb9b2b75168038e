"""REST API of this area; viewsets listed in API_ROUTES are registered under /api/."""

from transitions.rebalance.api import API_ROUTES as REBALANCE_ROUTES

API_ROUTES: list = [*REBALANCE_ROUTES]
