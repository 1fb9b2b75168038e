"""Pages of the tax-lot area (included from portfolios/urls.py)."""

from django.urls import path

from portfolios.lots import views

urlpatterns = [
    path(
        "clients/<uuid:client_id>/holdings/upload/",
        views.holdings_upload,
        name="holdings-upload",
    ),
    path("holdings/imports/<uuid:public_id>/", views.holdings_preview, name="holdings-preview"),
    path(
        "holdings/imports/<uuid:public_id>/confirm/",
        views.holdings_confirm,
        name="holdings-confirm",
    ),
    path("accounts/<uuid:public_id>/trades/new/", views.trade_create, name="trade-create"),
    path("accounts/<uuid:public_id>/cash/new/", views.cash_entry_create, name="cash-entry-create"),
    path(
        "clients/<uuid:public_id>/realized-gains/",
        views.realized_gains,
        name="realized-gains",
    ),
    path(
        "clients/<uuid:public_id>/realized-gains/csv/",
        views.realized_gains_csv_download,
        name="realized-gains-csv",
    ),
    path(
        "clients/<uuid:public_id>/realized-gains/pdf/",
        views.realized_gains_pdf_download,
        name="realized-gains-pdf",
    ),
]
