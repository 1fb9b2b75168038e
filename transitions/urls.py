"""Pages of this area."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("transitions.analysis.urls")),
    path("", include("transitions.proposals.urls")),
]
