"""Reads of rebalance settings: an account's overrides over its firm's defaults."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from transitions.rebalance.models import BudgetKind, RebalanceSettings
from transitions.rebalance.types import EffectiveSettings

ZERO = Decimal("0")
DEFAULT_RISK_AVERSION = Decimal("20")

# Field -> value used when neither the account nor the firm says anything.
BUILT_IN_DEFAULTS: dict[str, object] = {
    "loss_harvest_min_pct": Decimal("5"),
    "loss_harvest_min_value": Decimal("250"),
    "cash_target": ZERO,
    "min_trade_value": Decimal("25"),
    "max_turnover_pct": None,
    "whole_shares": True,
    "trading_cost_bps": ZERO,
    "te_max_pct": None,
    # Dollars of tax the optimizer trades for one unit of equity x TE^2: at 20, cutting an
    # account's tracking error from 2 % to 1 % is worth 0.6 % of its value in tax.
    "risk_aversion": DEFAULT_RISK_AVERSION,
}
INHERITED_FIELDS = tuple(BUILT_IN_DEFAULTS)


def firm_defaults(*, firm) -> RebalanceSettings | None:
    return RebalanceSettings.objects.filter(firm=firm, account__isnull=True).first()


def account_overrides(*, account) -> RebalanceSettings | None:
    return RebalanceSettings.objects.filter(account=account).first()


def settings_effective(*, account) -> EffectiveSettings:
    """The settings a rebalance of `account` uses: its own where set, else the firm's, else the
    built-in defaults (two queries). Rates are the client's; a tax-deferred account has none."""
    rows = {
        row.account_id is None: row
        for row in RebalanceSettings.objects.filter(
            Q(firm_id=account.firm_id, account__isnull=True) | Q(account=account)
        )
    }
    firm_row, own = rows.get(True), rows.get(False)
    values: dict[str, object] = {}
    inherited: list[str] = []
    for name, default in BUILT_IN_DEFAULTS.items():
        own_value = getattr(own, name) if own is not None else None
        if own_value is not None:
            values[name] = own_value
            continue
        inherited.append(name)
        firm_value = getattr(firm_row, name) if firm_row is not None else None
        values[name] = firm_value if firm_value is not None else default
    kind = own.budget_kind if own is not None else BudgetKind.INHERIT
    amount = own.budget_amount if own is not None else None
    if kind == BudgetKind.INHERIT:
        inherited.append("budget")
        kind = firm_row.budget_kind if firm_row is not None else BudgetKind.NONE
        amount = firm_row.budget_amount if firm_row is not None else None
    client = account.client
    taxable = not account.is_tax_deferred
    return EffectiveSettings(
        budget_kind=str(kind) if taxable else BudgetKind.NONE,
        budget_amount=amount if taxable and kind != BudgetKind.NONE else None,
        loss_harvest_min_pct=values["loss_harvest_min_pct"],  # type: ignore[arg-type]
        loss_harvest_min_value=values["loss_harvest_min_value"],  # type: ignore[arg-type]
        withdrawal=(own.withdrawal if own is not None and own.withdrawal else ZERO),
        deposit=(own.deposit if own is not None and own.deposit else ZERO),
        cash_target=values["cash_target"],  # type: ignore[arg-type]
        min_trade_value=values["min_trade_value"],  # type: ignore[arg-type]
        max_turnover_pct=values["max_turnover_pct"],  # type: ignore[arg-type]
        whole_shares=bool(values["whole_shares"]),
        trading_cost_bps=values["trading_cost_bps"],  # type: ignore[arg-type]
        te_max_pct=values["te_max_pct"],  # type: ignore[arg-type]
        risk_aversion=values["risk_aversion"],  # type: ignore[arg-type]
        short_term_rate=client.short_term_rate if taxable else ZERO,
        long_term_rate=client.long_term_rate if taxable else ZERO,
        inherited=tuple(inherited),
    )
