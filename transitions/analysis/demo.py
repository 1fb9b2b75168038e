"""Demo: one finished transition analysis for a direct-indexing demo account (small: few paths)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

DEMO_SCENARIOS = ("immediate", "timeline:3", "gain_budget:0", "hold")


def demo_analysis_seed(*, quick: bool) -> None:
    """Idempotent: the first DI or core account with lots and no analysis yet gets one (run now
    in eager mode, queued for a worker otherwise). Accounts the service refuses are skipped."""
    from accounts.models import Account
    from transitions.analysis.models import TransitionAnalysis
    from transitions.analysis.services import transition_analysis_start

    if TransitionAnalysis.objects.exists():
        return
    accounts = (
        Account.objects.filter(
            strategy__kind__in=("direct_index", "core"),
            account_type="taxable",
            tax_lots__isnull=False,
        )
        .select_related("client__advisor", "strategy")
        .distinct()
        .order_by("firm_id", "client__name", "name")
    )
    for account in accounts:
        try:
            transition_analysis_start(
                account=account,
                actor=account.client.advisor,
                scenarios=list(DEMO_SCENARIOS),
                years=3 if quick else 5,
                paths=0 if quick else 10,
                seed=7,
            )
        except ValidationError:
            continue
        return
