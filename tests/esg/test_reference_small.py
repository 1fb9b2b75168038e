"""The ESG services on the shared small reference data (real master records, a risk model
estimated from SYNTHETIC prices, the six demo strategies) with the demo categories."""

from __future__ import annotations

import pytest

from esg import services
from esg.demo import categories_seed
from esg.models import CategoryMember
from esg.services import CustomizationInput

CATEGORIES = ("tobacco", "controversial-weapons", "fossil-fuels", "gambling")


@pytest.fixture(autouse=True)
def _risk_model_cache_clear():  # the shared fixture stores its own risk model row
    from portfolios import selectors

    selectors._MODEL_CACHE.clear()


def test_every_demo_strategy_takes_the_demo_categories(cast, reference_small):
    categories_seed()
    members = set(
        CategoryMember.objects.filter(category__slug__in=CATEGORIES).values_list(
            "security_id", flat=True
        )
    )
    assert {reference_small.security(t).pk for t in ("MO", "XOM", "LVS", "GD")} <= members
    account = cast.a.account
    for slug, strategy in reference_small.strategies.items():
        account.strategy = strategy
        account.save(update_fields=["strategy"])
        preview = services.customization_preview(
            account=account, data=CustomizationInput(category_slugs=CATEGORIES)
        )
        assert preview.has_figures, (slug, preview.problem)
        assert not members & set(preview.weights), slug
        total = preview.total
        assert total.tracking_error <= total.pro_rata_tracking_error + 1e-9, slug
        assert sum(preview.weights.values()) == pytest.approx(1.0, abs=1e-9)
