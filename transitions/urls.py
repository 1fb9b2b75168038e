"""Pages of this area."""

urlpatterns: list = []
