"""The rebalance section of the account page: the account's latest trade lists."""

from __future__ import annotations

from accounts.sections import account_section
from transitions.rebalance.selectors import account_trade_lists


@account_section
def rebalance_section(*, account, user) -> dict:
    return {"trade_lists": account_trade_lists(account=account)}
