from django.contrib.auth.views import LogoutView
from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("clients/export/", views.client_book_export, name="client-book-export"),
    path("clients/new/", views.client_create, name="client-create"),
    path("clients/<uuid:public_id>/", views.client_detail, name="client-detail"),
    path("clients/<uuid:public_id>/edit/", views.client_edit, name="client-edit"),
    path("clients/<uuid:client_id>/accounts/new/", views.account_create, name="account-create"),
    path("accounts/<uuid:public_id>/", views.account_detail, name="account-detail"),
    path("accounts/<uuid:public_id>/edit/", views.account_edit, name="account-edit"),
    path("firm/advisors/", views.firm_advisors, name="firm-advisors"),
    path("firm/advisors/invite/", views.invitation_create, name="invitation-create"),
    path("firm/audit/", views.audit_trail, name="audit-trail"),
    path("firm/audit/csv/", views.audit_trail_csv, name="audit-trail-csv"),
    path(
        "firm/invitations/<uuid:public_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "firm/invitations/<uuid:public_id>/resend/",
        views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "firm/advisors/<uuid:public_id>/active/",
        views.advisor_set_active,
        name="advisor-set-active",
    ),
    path("firm/history/", views.firm_history, name="firm-history"),
]
