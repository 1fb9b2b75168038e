"""The portfolios area's section of the account page: strategy and tracking error to it."""

from __future__ import annotations

from accounts.sections import account_section
from portfolios.selectors import account_risk


@account_section
def account_risk_section(*, account, user) -> dict:
    """The account's strategy and, with priced lots and a risk model, its ex-ante tracking
    error to the strategy in % a year."""
    return {
        "risk": account_risk(account=account),
        "can_browse_strategies": getattr(user, "role", "") in ("advisor", "firm_admin"),
    }
