"""The ESG area's section of the account page: the customization and its stored target."""

from __future__ import annotations

from accounts.sections import account_section
from esg.selectors import customization_summary


@account_section
def customization_section(*, account, user) -> dict:
    return {"esg": customization_summary(account=account)}
