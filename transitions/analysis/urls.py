"""Pages of transition analyses."""

from django.urls import path

from transitions.analysis import views

urlpatterns = [
    path("accounts/<uuid:public_id>/analyses/", views.analysis_list, name="analysis-list"),
    path("accounts/<uuid:public_id>/analyses/new/", views.analysis_start, name="analysis-start"),
    path("analyses/<uuid:public_id>/", views.analysis_detail, name="analysis-detail"),
    path("analyses/<uuid:public_id>/status/", views.analysis_status, name="analysis-status"),
    path("analyses/<uuid:public_id>/export.csv", views.analysis_export, name="analysis-export"),
    path("analyses/<uuid:public_id>/compare/", views.analysis_compare, name="analysis-compare"),
    path("analyses/<uuid:public_id>/rerun/", views.analysis_rerun, name="analysis-rerun"),
    path(
        "analyses/<uuid:public_id>/frontier/save/",
        views.analysis_frontier_save,
        name="analysis-frontier-save",
    ),
    path(
        "analyses/<uuid:public_id>/trade-list/",
        views.analysis_trade_list,
        name="analysis-trade-list",
    ),
]
