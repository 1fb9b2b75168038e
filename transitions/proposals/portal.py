"""What a client login reads on its home page: its household's accounts and proposals."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Account
from transitions.proposals.inputs import customizations_plain
from transitions.proposals.selectors import proposals_for_client

ZERO = Decimal("0")


def client_portal_context(*, user) -> dict:
    from portfolios.lots.selectors import account_lots

    client = user.client
    accounts = []
    for account in (
        Account.objects.visible_to(user).filter(client=client).select_related("strategy")
    ):
        lots = account_lots(account=account)
        short = sum(
            (r.unrealized for r in lots.rows if r.unrealized is not None and not r.is_long_term),
            ZERO,
        )
        long = sum(
            (r.unrealized for r in lots.rows if r.unrealized is not None and r.is_long_term), ZERO
        )
        customizations, target_te = customizations_plain(account=account)
        accounts.append(
            {
                "account": account,
                "market_value": lots.market_value,
                "cost_basis": lots.cost_basis,
                "unrealized_short": short,
                "unrealized_long": long,
                "holdings": len(lots.shares_by_ticker),
                "customizations": customizations,
                "target_tracking_error": target_te,
            }
        )
    return {
        "client": client,
        "accounts": accounts,
        "proposals": list(proposals_for_client(user=user, client=client)),
    }
