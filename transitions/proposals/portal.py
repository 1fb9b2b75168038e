"""What a client login reads of its household: accounts (value, unrealized gain by term,
customizations in plain words) and its shared proposals. A fixed number of queries however
many accounts and lots the household has."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account
from pma_engine.tax import days_until_long_term, money_round
from transitions.proposals.inputs import customization_lines
from transitions.proposals.selectors import proposals_for_client

ZERO = Decimal("0")


def client_portal_context(*, user) -> dict:
    from esg.models import CustomizedTarget
    from portfolios.models import TaxLot
    from portfolios.selectors import latest_prices

    client = user.client
    today = timezone.localdate()
    accounts = list(
        Account.objects.visible_to(user).filter(client=client).select_related("strategy")
    )
    lots = list(
        TaxLot.objects.filter(account__in=accounts).only(
            "account_id", "security_id", "shares", "cost_basis", "adjusted_acquired_on"
        )
    )
    prices = latest_prices(security_ids={lot.security_id for lot in lots})
    figures: dict[int, dict] = defaultdict(
        lambda: {"value": ZERO, "basis": ZERO, "st": ZERO, "lt": ZERO, "names": set()}
    )
    for lot in lots:
        entry = figures[lot.account_id]
        entry["basis"] += lot.cost_basis
        entry["names"].add(lot.security_id)
        price = prices.get(lot.security_id)
        if price is None:
            continue
        value = money_round(lot.shares * price.close)
        entry["value"] += value
        is_long = days_until_long_term(lot.adjusted_acquired_on, today) == 0
        entry["lt" if is_long else "st"] += value - lot.cost_basis
    by_pk = {a.pk: a for a in accounts}
    targets: dict[int, CustomizedTarget] = {}
    for target in (
        CustomizedTarget.objects.filter(account__in=accounts)
        .select_related("strategy_version")
        .order_by("-computed_at")
    ):
        # The latest stored target of the account's current strategy (as the account page).
        account = by_pk[target.account_id]
        if (
            target.account_id not in targets
            and target.strategy_version.strategy_id == account.strategy_id
        ):
            targets[target.account_id] = target
    rows = []
    for account in accounts:
        entry = figures[account.pk]
        target = targets.get(account.pk)
        rows.append(
            {
                "account": account,
                "market_value": entry["value"],
                "cost_basis": entry["basis"],
                "unrealized_short": entry["st"],
                "unrealized_long": entry["lt"],
                "holdings": len(entry["names"]),
                "customizations": customization_lines(target) if target else [],
                "target_tracking_error": target.tracking_error if target else None,
            }
        )
    return {
        "client": client,
        "accounts": rows,
        "proposals": list(proposals_for_client(user=user, client=client)),
    }
