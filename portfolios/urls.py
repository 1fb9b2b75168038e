"""Pages of this area."""

from django.urls import include, path

from portfolios import views

urlpatterns = [
    path("strategies/", views.strategy_list, name="strategy-list"),
    path("strategies/<slug:slug>/", views.strategy_detail, name="strategy-detail"),
    path("securities/", views.security_list, name="security-list"),
    path("securities/<str:ticker>/", views.security_detail, name="security-detail"),
    path("", include("portfolios.lots.urls")),  # tax lots (issue 5)
]
