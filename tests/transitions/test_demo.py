"""On the demo's accounts: selling everything and buying the target pays more tax than the
optimizer at (nearly) the same tracking error. The sell-all tax is worked out here from the lot
rows and the latest closes, with the IRS netting of short- and long-term results; the demo's
rebalance step (firm defaults, share classes, one proposal per advisor) is checked too."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command

# The optimizer must come within 0.5 % a year of the target (sell-all lands at ~0). Where the
# wash guard freezes loss lots of names bought in the last 30 days (the demo has such trades),
# 0.5 % may be out of reach; the next ceiling is tried and the test says how many needed it.
TE_CEILINGS_PCT = (Decimal("0.5"), Decimal("1.0"), Decimal("2.0"))


def _signed_tax(st: Decimal, lt: Decimal, st_rate: Decimal, lt_rate: Decimal) -> Decimal:
    """Net ST and LT (a net loss in one term offsets a gain in the other), losses credited at
    their own term's rate: the same convention as the trade list's estimated tax."""
    if (st >= 0) == (lt >= 0):
        return st * st_rate + lt * lt_rate
    net = st + lt
    if st < 0:  # a short-term loss against a long-term gain
        return net * (lt_rate if net >= 0 else st_rate)
    return net * (st_rate if net >= 0 else lt_rate)


def _sell_all_tax(account, today) -> Decimal:
    from portfolios.models import TaxLot
    from portfolios.selectors import latest_prices

    lots = list(TaxLot.objects.filter(account=account))
    closes = latest_prices(security_ids=[lot.security_id for lot in lots])
    st = lt = Decimal("0")
    for lot in lots:
        gain = (lot.shares * closes[lot.security_id].close).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        ) - lot.cost_basis
        # Long-term when held more than one year (counted from the day after acquisition).
        anniversary = lot.adjusted_acquired_on.replace(year=lot.adjusted_acquired_on.year + 1)
        if today > anniversary:
            lt += gain
        else:
            st += gain
    client = account.client
    return _signed_tax(st, lt, client.short_term_rate, client.long_term_rate)


@pytest.mark.django_db
def test_sell_all_pays_more_tax_than_the_optimizer_on_the_demo_accounts():
    from django.utils import timezone

    from accounts.models import Account, User
    from transitions.rebalance.compute import trade_list_compute
    from transitions.rebalance.models import (
        RebalanceSettings,
        ShareClassGroup,
        TradeList,
    )

    call_command("seed_demo", "--quick", stdout=io.StringIO())
    # The demo step: firm defaults, the share-class table, a proposal per advisor.
    assert RebalanceSettings.objects.filter(account=None).count() == 2
    assert ShareClassGroup.objects.filter(name="Alphabet").exists()
    advisors = User.objects.filter(role="advisor")
    proposed = TradeList.objects.filter(created_by__in=advisors, status="proposed")
    assert proposed.values("created_by").distinct().count() == advisors.count()

    today = timezone.localdate()
    accounts = Account.objects.filter(
        account_type="taxable", strategy__isnull=False, tax_lots__isnull=False
    ).distinct()
    compared = at_first_ceiling = 0
    for account in accounts.select_related("client", "strategy"):
        for ceiling in TE_CEILINGS_PCT:
            RebalanceSettings.objects.update_or_create(
                account=account,
                defaults={
                    "firm": account.firm,
                    "budget_kind": "none",
                    "te_max_pct": ceiling,
                    "whole_shares": False,
                    "min_trade_value": Decimal("0"),
                    "cash_target": Decimal("0"),
                },
            )
            trade_list = trade_list_compute(account=account, actor=account.client.advisor)
            if trade_list.status == "proposed" or "frozen lots" not in trade_list.error:
                break
        assert trade_list.status == "proposed", (account, trade_list.error)
        assert trade_list.tracking_error_after <= float(ceiling) / 100 + 1e-4
        at_first_ceiling += ceiling == TE_CEILINGS_PCT[0]
        sell_all = _sell_all_tax(account, today)
        assert trade_list.estimated_tax < sell_all.quantize(Decimal("0.01")), (
            account,
            trade_list.estimated_tax,
            sell_all,
        )
        compared += 1
    assert compared >= 4
    assert at_first_ceiling >= compared - 2, (at_first_ceiling, compared)
