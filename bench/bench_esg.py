"""Benchmarks of the ESG services on the demo reference data (real security master, SYNTHETIC
prices and risk model), in a throw-away test database (never the development one).

- `esg_membership_rebuild_1100`: the set-based rebuild of the ten standard categories over the
  ~1,100-name master, from empty; baseline: a naive rebuild (one query per rule, one INSERT per
  member), same run, same result.
- `customized_target_di_large_cap`: the preview of DI Large Cap without tobacco, controversial
  weapons and fossil fuels (masks, exclusion costs of each alone and together, the target);
  baseline: the engine's `exclusion_costs` alone on the same arrays (ratio = service overhead).
- `customized_target_di_large_cap_cached`: reading the saved target when nothing changed (the
  cache key is computed, no solve); baseline: recomputing it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench.scratch_db import scratch_database

CATEGORIES = ("tobacco", "controversial-weapons", "fossil-fuels")


def _best_of(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    return best, result


def _naive_rebuild() -> int:
    """What a first attempt looks like: delete, then per rule a query and per member an INSERT."""
    from esg.models import CategoryMember, CategoryOverride, CategoryRule, ExclusionCategory
    from portfolios.models import Security

    CategoryMember.objects.all().delete()
    count = 0
    for category in ExclusionCategory.objects.all():
        removed = set(
            CategoryOverride.objects.filter(category=category, action="exclude").values_list(
                "security_id", flat=True
            )
        )
        seen: set[int] = set()
        for rule in CategoryRule.objects.filter(category=category):
            for security in Security.objects.filter(
                firm__isnull=True, is_active=True, **{rule.field: rule.value}
            ):
                if security.pk in removed or security.pk in seen:
                    continue
                seen.add(security.pk)
                CategoryMember.objects.create(
                    category=category,
                    security=security,
                    source="rule",
                    reason=f"{rule.field} is {rule.value}",
                )
                count += 1
        for override in CategoryOverride.objects.filter(category=category, action="include"):
            if override.security_id not in seen:
                CategoryMember.objects.create(
                    category=category,
                    security_id=override.security_id,
                    source="manual",
                    reason=f"added by hand: {override.reason}",
                )
                count += 1
    return count


def bench_esg() -> dict[str, dict[str, Any]]:
    with scratch_database("bench_esg"):
        import numpy as np

        from accounts.models import Account
        from esg import selectors, services
        from esg.demo import categories_seed
        from esg.models import CategoryMember
        from pma_engine.target import exclusion_costs
        from pma_engine.universe import risk_model_align
        from portfolios.demo import demo_reference_seed
        from portfolios.models import Security, Strategy
        from portfolios.selectors import risk_model_load
        from tests.factories import AccountFactory

        demo_reference_seed(quick=True)
        categories_seed()
        n_securities = Security.objects.filter(firm__isnull=True).count()

        def rebuild_from_empty():
            CategoryMember.objects.all().delete()
            started = time.perf_counter()
            report = services.category_members_rebuild()
            return time.perf_counter() - started, report

        timings = [rebuild_from_empty() for _ in range(5)]
        rebuild_seconds = min(seconds for seconds, _ in timings)
        report = timings[-1][1]
        naive_seconds, naive_count = _best_of(_naive_rebuild, 2)
        assert naive_count == report.members, (naive_count, report.members)
        services.category_members_rebuild()

        account: Account = AccountFactory()
        account.strategy = Strategy.objects.get(slug="di-large-cap")
        account.save(update_fields=["strategy"])
        data = services.CustomizationInput(category_slugs=CATEGORIES)
        preview_seconds, preview = _best_of(
            lambda: services.customization_preview(account=account, data=data), 5
        )

        # Baseline: the engine alone, on the arrays the service built.
        resolved = services.customization_resolve(account=account, data=data, today=preview.as_of)
        prepared = selectors.target_prepare(account=account, resolved=resolved, as_of=preview.as_of)
        universe = prepared.universe
        risk = risk_model_align(risk_model_load(row_id=prepared.risk_model_id), universe.universe)
        masks = {s.key: s.mask for s in prepared.settings}
        engine_seconds, _ = _best_of(
            lambda: exclusion_costs(
                benchmark_weights=universe.benchmark,
                exclusions=masks,
                exposures=risk.exposures,
                factor_cov=risk.factor_cov,
                specific_var=risk.specific_var,
                candidates=np.ones(len(universe.universe), dtype=bool),
            ),
            5,
        )

        services.customization_save(account=account, actor=None, data=data)
        cached_seconds, state = _best_of(
            lambda: selectors.customized_target_state(account=account), 5
        )
        assert state.target is not None and not state.is_stale, (
            f"the stored target is current: {state}"
        )
        total = preview.total
        return {
            "esg_membership_rebuild_1100": {
                "value": rebuild_seconds,
                "unit": "s",
                "baseline": naive_seconds,
                "ratio": rebuild_seconds / naive_seconds,
                "detail": (
                    f"{report.categories} categories, {report.members} members over "
                    f"{n_securities} securities, from empty (bar: < 1 s); baseline one "
                    "INSERT per member"
                ),
            },
            "customized_target_di_large_cap": {
                "value": preview_seconds,
                "unit": "s",
                "baseline": engine_seconds,
                "ratio": preview_seconds / engine_seconds,
                "detail": (
                    f"{len(universe.universe)} names, 3 categories alone + together: "
                    f"TE {100 * total.tracking_error:.3f}% vs pro rata "
                    f"{100 * total.pro_rata_tracking_error:.3f}%/yr; baseline: engine only"
                ),
            },
            "customized_target_di_large_cap_cached": {
                "value": cached_seconds,
                "unit": "s",
                "baseline": preview_seconds,
                "ratio": cached_seconds / preview_seconds,
                "detail": "saved target read back, inputs unchanged (no solve); baseline: compute",
            },
        }


if __name__ == "__main__":
    for name, row in bench_esg().items():
        print(name, row)
