"""Pages of this area."""

from django.urls import path

from esg import views

urlpatterns = [
    path("esg/categories/", views.category_list, name="esg-category-list"),
    path("esg/categories/<slug:slug>/", views.category_detail, name="esg-category-detail"),
    path(
        "esg/accounts/<uuid:public_id>/customize/",
        views.account_customize,
        name="esg-account-customize",
    ),
    path("esg/accounts/<uuid:public_id>/target/", views.account_target, name="esg-account-target"),
]
