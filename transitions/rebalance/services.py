"""Writes of the trade-list life: propose (a job), approve, export the order file, mark executed
(the trades go through the tax engine), and the rebalance settings."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pma_engine.csv_safe import csv_safe_writer
from transitions.rebalance.models import (
    RISK_AVERSION_MAX,
    RISK_AVERSION_MIN,
    BudgetKind,
    RebalanceSettings,
    TradeList,
    TradeListStatus,
    TradeSide,
)
from transitions.rebalance.selectors import trade_list_stale_reasons

PROPOSE_JOB = "rebalance_propose"
CSV_COLUMNS = (
    "account_number",
    "ticker",
    "side",
    "shares",
    "lot_id",
    "lot_ref",
    "acquired_on",
    "estimated_price",
    "estimated_amount",
    "estimated_fee",
)


def trade_list_propose(*, account, actor):
    """Queue the proposal as a job (the solve never runs in a request). Refuses at once, with
    nothing queued, what the job would refuse anyway: no strategy, no lots."""
    from jobs.services import job_create
    from portfolios.models import TaxLot

    if account.strategy_id is None:
        raise ValidationError(
            {"account": f"{account.name} has no strategy: choose one before rebalancing."}
        )
    if not TaxLot.objects.filter(account=account).exists():
        raise ValidationError(
            {"account": f"{account.name} holds no tax lots: upload its holdings first."}
        )
    return job_create(
        kind=PROPOSE_JOB,
        title=f"Propose trades for {account.name}",
        firm=account.firm,
        created_by=actor,
        params={"account": str(account.public_id)},
        target=account,
    )


def _locked(trade_list: TradeList) -> TradeList:
    return (
        TradeList.objects.select_for_update()
        .select_related("account__client")
        .get(pk=trade_list.pk)
    )


def trade_list_approve(*, trade_list: TradeList, actor) -> TradeList:
    """An advisor approves a current proposal; a stale one (prices, lots, target or settings
    changed since) is refused and stays as it was."""
    if not getattr(actor, "is_advisor", False):
        raise ValidationError("Only an advisor or a firm admin may approve a trade list.")
    with transaction.atomic():
        locked = _locked(trade_list)
        if locked.status != TradeListStatus.PROPOSED:
            raise ValidationError(
                f"This trade list is {locked.get_status_display().lower()}: only a proposed "
                "one can be approved."
            )
        reasons = trade_list_stale_reasons(trade_list=locked)
        if reasons:
            raise ValidationError(
                "This proposal is stale and cannot be approved: "
                + "; ".join(reasons)
                + ". Propose trades again."
            )
        locked.status = TradeListStatus.APPROVED
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        _audit(
            trade_list=locked,
            actor=actor,
            summary=f"Approved a trade list of {locked.trade_count} trade(s) for "
            f"{locked.account.name}",
        )
    return locked


def _audit(*, trade_list: TradeList, actor, summary: str) -> None:
    from accounts.audit import audit_record

    audit_record(
        firm=trade_list.firm_id,
        actor=actor,
        kind="trade_list",
        account=trade_list.account,
        summary=summary,
    )


def trade_list_csv(*, trade_list: TradeList) -> bytes:
    """The order file: one row per order, sales naming their lot (specific identification)."""
    out = io.StringIO()
    writer = csv_safe_writer(out)  # text cells that start a formula get a leading apostrophe
    writer.writerow(CSV_COLUMNS)
    number = trade_list.account.account_number
    for line in trade_list.lines.select_related("security").order_by("position"):
        writer.writerow(
            [
                number,
                line.security.ticker,
                line.side,
                f"{line.shares.normalize():f}",
                line.lot_public_id,
                line.lot_ref,
                line.acquired_on.isoformat() if line.acquired_on else "",
                f"{line.price:.2f}",
                f"{line.amount:.2f}",
                f"{line.fee:.2f}",
            ]
        )
    return out.getvalue().encode()


def trade_list_export_csv(*, trade_list: TradeList, actor) -> tuple[bytes, str]:
    """The CSV order file of an approved list (marks it exported); (content, file name)."""
    with transaction.atomic():
        locked = _locked(trade_list)
        if locked.status not in (TradeListStatus.APPROVED, TradeListStatus.EXPORTED):
            raise ValidationError(
                f"This trade list is {locked.get_status_display().lower()}: approve it before "
                "exporting the orders."
            )
        if locked.status == TradeListStatus.APPROVED:
            locked.status = TradeListStatus.EXPORTED
            locked.exported_at = timezone.now()
            locked.save(update_fields=["status", "exported_at"])
    name = f"orders-{locked.as_of.isoformat()}-{str(locked.public_id)[:8]}.csv"
    return trade_list_csv(trade_list=locked), name


def trade_list_mark_executed(
    *, trade_list: TradeList, actor, trade_date: date | None = None
) -> TradeList:
    """Record the list's trades through the tax engine (one household replay, one transaction,
    all or nothing): lots, realized gains and Form 8949 follow; each line's fee is in its
    trade's amount (`_amount_with_fee`). Twice is refused."""
    from portfolios.lots.cash import cash_entry_record
    from portfolios.lots.trades import TradesRefused, trades_record
    from portfolios.lots.types import TradeInput
    from portfolios.models import CashKind, TradeSource

    today = timezone.localdate()
    trade_date = trade_date or today
    if trade_date > today:
        raise ValidationError({"trade_date": f"{trade_date.isoformat()} is in the future."})
    with transaction.atomic():
        locked = _locked(trade_list)
        if locked.status == TradeListStatus.EXECUTED:
            who = locked.executed_by.display_name if locked.executed_by else "someone"
            raise ValidationError(
                f"This trade list was already marked executed on {locked.executed_at:%Y-%m-%d} "
                f"by {who}; nothing was recorded again."
            )
        if locked.status not in (TradeListStatus.APPROVED, TradeListStatus.EXPORTED):
            raise ValidationError(
                f"This trade list is {locked.get_status_display().lower()}: only an approved "
                "(or exported) list can be marked executed."
            )
        account = locked.account
        lines = list(locked.lines.select_related("security").order_by("position"))
        items = [
            TradeInput(
                account=account,
                security=line.security,
                action=line.side,
                trade_date=trade_date,
                shares=line.shares,
                amount=_amount_with_fee(line),
                lot_public_id=line.lot_public_id or None if line.side == TradeSide.SELL else None,
                source=TradeSource.REBALANCE,
            )
            for line in lines
        ]
        if locked.withdrawal < 0:
            cash_entry_record(
                account=account,
                actor=actor,
                kind=CashKind.DEPOSIT,
                amount=-locked.withdrawal,
                on=trade_date,
                note="Deposit invested by the rebalance",
            )
        if items:
            try:
                trades_record(trades=items, actor=actor, client=account.client)
            except TradesRefused as refused:
                raise ValidationError(
                    [_problem_text(problem, lines) for problem in refused.problems]
                    + ["Nothing was recorded."]
                ) from refused
        if locked.withdrawal > 0:
            cash_entry_record(
                account=account,
                actor=actor,
                kind=CashKind.WITHDRAWAL,
                amount=locked.withdrawal,
                on=trade_date,
                note="Withdrawal raised by the rebalance",
            )
        locked.status = TradeListStatus.EXECUTED
        locked.executed_by = actor
        locked.executed_at = timezone.now()
        locked.save(update_fields=["status", "executed_by", "executed_at"])
    return locked


def _amount_with_fee(line) -> Decimal:
    """What the trade records, the way the IRS counts a commission: a sale's proceeds less
    its fee (Form 8949 column (d)), a buy's cost plus its fee (its basis, column (e)). The
    cash moves by the same amount."""
    if line.side == TradeSide.SELL:
        return line.amount - line.fee
    return line.amount + line.fee


def _problem_text(problem, lines) -> str:
    line = lines[problem.index] if 0 <= problem.index < len(lines) else None
    if line is None:
        return str(problem)
    what = f"{line.get_side_display()} {line.shares.normalize():f} {line.security.ticker}"
    if line.lot_public_id:
        what += f" (lot {line.lot_ref or line.lot_public_id})"
    return f"Line {problem.index + 1}, {what}: {problem.message}"


SETTINGS_FIELDS = (
    "budget_kind",
    "budget_amount",
    "loss_harvest_min_pct",
    "loss_harvest_min_value",
    "withdrawal",
    "deposit",
    "cash_target",
    "min_trade_value",
    "max_turnover_pct",
    "whole_shares",
    "trading_cost_bps",
    "te_max_pct",
    "risk_aversion",
)
ACCOUNT_ONLY = ("withdrawal", "deposit")


def _settings_check(values: dict, *, is_firm: bool) -> None:
    errors: dict[str, str] = {}
    kind = values.get("budget_kind") or (BudgetKind.NONE if is_firm else BudgetKind.INHERIT)
    if kind not in BudgetKind.values or (is_firm and kind == BudgetKind.INHERIT):
        errors["budget_kind"] = "Choose no limit, a realized-gain budget or a tax budget."
    amount = values.get("budget_amount")
    if kind in (BudgetKind.GAIN, BudgetKind.TAX) and amount is None:
        errors["budget_amount"] = "Give the budget's amount (zero is allowed)."
    for name in SETTINGS_FIELDS:
        value = values.get(name)
        if isinstance(value, Decimal) and value < 0:
            errors[name] = "Cannot be negative."
    if values.get("te_max_pct") is not None and values["te_max_pct"] <= 0:
        errors["te_max_pct"] = "Give a ceiling above zero, or leave it empty."
    risk_aversion = values.get("risk_aversion")
    if risk_aversion is not None and not (RISK_AVERSION_MIN <= risk_aversion <= RISK_AVERSION_MAX):
        errors["risk_aversion"] = (
            f"Risk aversion: give a number from {RISK_AVERSION_MIN} to {RISK_AVERSION_MAX}, "
            "or leave it empty."
        )
    if (values.get("withdrawal") or 0) > 0 and (values.get("deposit") or 0) > 0:
        errors["deposit"] = "Give a withdrawal or a deposit, not both."
    if errors:
        raise ValidationError(errors)


def rebalance_settings_save(*, firm, actor, values: dict, account=None) -> RebalanceSettings:
    """Save the firm's defaults (account None; firm admins) or one account's overrides."""
    if account is None and not getattr(actor, "is_firm_admin", False):
        raise ValidationError("Only a firm admin may change the firm's defaults.")
    if account is not None and account.firm_id != firm.pk:
        raise ValidationError({"account": "Not an account of this firm."})
    values = {name: values.get(name) for name in SETTINGS_FIELDS if name in values}
    if account is None:
        for name in ACCOUNT_ONLY:
            values.pop(name, None)
    _settings_check(values, is_firm=account is None)
    if not values.get("budget_kind"):
        values["budget_kind"] = BudgetKind.NONE if account is None else BudgetKind.INHERIT
    if values["budget_kind"] in (BudgetKind.NONE, BudgetKind.INHERIT):
        values["budget_amount"] = None
    with transaction.atomic():
        row = RebalanceSettings.objects.select_for_update().filter(
            firm=firm, account=account
        ).first() or RebalanceSettings(firm=firm, account=account)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = actor
        row.save()
    return row
