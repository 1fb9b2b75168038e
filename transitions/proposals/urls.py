"""Pages of proposals, the client's home and the firm's branding."""

from django.urls import path

from transitions.proposals import views

urlpatterns = [
    path(
        "analyses/<uuid:public_id>/proposal/",
        views.proposal_generate,
        name="proposal-generate",
    ),
    path("proposals/<uuid:public_id>/", views.proposal_detail, name="proposal-detail"),
    path("proposals/<uuid:public_id>/share/", views.proposal_share, name="proposal-share"),
    path("proposals/<uuid:public_id>/respond/", views.proposal_respond, name="proposal-respond"),
    path(
        "proposal-files/<uuid:public_id>/",
        views.proposal_version_download,
        name="proposal-version-download",
    ),
    path("portal/", views.client_portal, name="client-portal"),
    path("firm/branding/", views.firm_branding, name="firm-branding"),
    path("firm/branding/logo.png", views.firm_branding_logo, name="firm-branding-logo"),
]
