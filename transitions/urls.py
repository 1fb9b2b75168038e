"""Pages of this area."""

from django.urls import include, path

from transitions.rebalance import views

urlpatterns = [
    path(
        "accounts/<uuid:public_id>/rebalance/propose/",
        views.rebalance_propose,
        name="rebalance-propose",
    ),
    path(
        "accounts/<uuid:public_id>/rebalance/settings/",
        views.account_settings,
        name="rebalance-settings",
    ),
    path(
        "rebalance/trade-lists/<uuid:public_id>/",
        views.trade_list_detail,
        name="rebalance-trade-list",
    ),
    path(
        "rebalance/trade-lists/<uuid:public_id>/approve/",
        views.trade_list_approve,
        name="rebalance-approve",
    ),
    path(
        "rebalance/trade-lists/<uuid:public_id>/export/",
        views.trade_list_export,
        name="rebalance-export",
    ),
    path(
        "rebalance/trade-lists/<uuid:public_id>/execute/",
        views.trade_list_execute,
        name="rebalance-execute",
    ),
    path("rebalance/settings/", views.firm_settings, name="rebalance-firm-settings"),
    path("rebalance/batches/", views.batch_create, name="rebalance-batch-create"),
    path("rebalance/batches/<uuid:public_id>/", views.batch_detail, name="rebalance-batch"),
    path(
        "rebalance/batches/<uuid:public_id>/status/",
        views.batch_status,
        name="rebalance-batch-status",
    ),
    path(
        "rebalance/batches/<uuid:public_id>/retry/",
        views.batch_retry,
        name="rebalance-batch-retry",
    ),
    path("", include("transitions.analysis.urls")),
    path("", include("transitions.proposals.urls")),
]
