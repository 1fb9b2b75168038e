"""REST API of this area; viewsets listed in API_ROUTES are registered under /api/."""

API_ROUTES: list = []
