"""Computing a trade list: load the inputs once, solve with the engine, label each line with its
reason, round explicitly (shares to 6 places or whole, money by `money_round`), store."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

import numpy as np
from django.db import transaction

from pma_engine.rebalance import constraint_costs, rebalance_solve
from pma_engine.tax import TaxRates, money_round, tax_estimate
from pma_engine.tax.money import SHARES_QUANTUM
from transitions.rebalance.inputs import InputsRefused, inputs_load
from transitions.rebalance.line_reasons import Weights, buy_reason_detail, sell_reason_detail
from transitions.rebalance.models import (
    BlockedTrade,
    TradeLine,
    TradeList,
    TradeListStatus,
    TradeReason,
    TradeSide,
)
from transitions.rebalance.types import RebalanceInputs

ZERO = Decimal("0")
BPS_PER_ONE = Decimal("10000")
TINY_SHARES = 1e-6


def _shares(value: float, *, cap: Decimal | None = None) -> Decimal:
    """Engine floats to Decimal shares (6 places, never above `cap`, snapped to it)."""
    shares = Decimal(repr(float(value))).quantize(SHARES_QUANTUM, rounding=ROUND_DOWN)
    if cap is not None and (shares > cap or abs(float(cap) - float(value)) < TINY_SHARES):
        return cap
    return shares


def _sell_reason(inputs: RebalanceInputs, *, asset: int, gain: Decimal, basis: Decimal) -> str:
    masks = inputs.reason_masks
    settings = inputs.settings
    if masks["do_not_hold"][asset]:
        return TradeReason.DO_NOT_HOLD
    if masks["concentrated"][asset]:
        return TradeReason.CONCENTRATED
    if masks["exclusion"][asset]:
        return TradeReason.EXCLUSION
    if (
        gain < 0
        and -gain >= settings.loss_harvest_min_value
        and basis > 0
        and -gain / basis * 100 >= settings.loss_harvest_min_pct
    ):
        return TradeReason.HARVEST
    if inputs.problem.target_weights[asset] <= 0:
        return TradeReason.TRANSITION
    if settings.withdrawal > 0:
        return TradeReason.CASH_RAISE
    return TradeReason.DRIFT


def _buy_reason(
    inputs: RebalanceInputs, *, asset: int, harvested_sectors: set[str], net_invest: bool
) -> str:
    if harvested_sectors and inputs.sectors[asset] in harvested_sectors:
        return TradeReason.HARVEST  # keeps the harvested exposure with a similar name
    if net_invest and (inputs.settings.deposit > 0 or inputs.cash > inputs.settings.cash_target):
        return TradeReason.CASH_INVEST
    return TradeReason.DRIFT


def _fee(inputs: RebalanceInputs, *, shares: Decimal, price: Decimal) -> Decimal:
    """The line's trading cost: the setting (basis points) of its gross amount, to the cent.
    Execution takes it from a sale's proceeds and adds it to a buy's cost (and basis)."""
    return money_round(shares * price * inputs.settings.trading_cost_bps / BPS_PER_ONE)


def _lines_build(inputs: RebalanceInputs, result) -> list[TradeLine]:
    problem = inputs.problem
    firm_id = inputs.account.firm_id
    lines: list[TradeLine] = []
    weights = Weights.of(inputs, result)
    harvested_sectors: set[str] = set()
    for lot, sold in enumerate(result.sell_shares.tolist()):
        if sold <= TINY_SHARES:
            continue
        held = inputs.lot_shares[lot]
        shares = _shares(sold, cap=held)
        if shares <= 0:
            continue
        asset = int(problem.lot_asset[lot])
        price = inputs.prices[asset]
        proceeds = money_round(shares * price)
        fee = _fee(inputs, shares=shares, price=price)
        basis = money_round(inputs.lot_basis[lot] * shares / held)
        gain = proceeds - fee - basis  # IRS: proceeds net of selling expenses
        reason = _sell_reason(inputs, asset=asset, gain=gain, basis=basis)
        long_term = bool(problem.lot_is_long_term[lot])
        if reason == TradeReason.HARVEST:
            harvested_sectors.add(inputs.sectors[asset])
        lines.append(
            TradeLine(
                firm_id=firm_id,
                side=TradeSide.SELL,
                security_id=int(inputs.security_ids[asset]),
                lot_id=inputs.lot_pks[lot],
                lot_public_id=inputs.lot_public_ids[lot],
                lot_ref=inputs.lot_refs[lot],
                acquired_on=inputs.lot_acquired[lot],
                shares=shares,
                price=price,
                amount=proceeds,
                fee=fee,
                cost_basis=basis,
                realized_gain=gain,
                term="LT" if long_term else "ST",
                days_held=int(problem.lot_days_held[lot]),
                reason=reason,
                reason_detail=sell_reason_detail(
                    inputs,
                    weights,
                    reason=reason,
                    asset=asset,
                    gain=gain,
                    basis=basis,
                    long_term=long_term,
                ),
            )
        )
    buys = [
        (asset, bought)
        for asset, bought in enumerate(result.buy_shares.tolist())
        if bought > TINY_SHARES
    ]
    sells_total = sum((line.amount for line in lines), ZERO)
    buys_total = sum(
        (money_round(_shares(b) * inputs.prices[a]) for a, b in buys if inputs.prices[a]), ZERO
    )
    for asset, bought in buys:
        shares = _shares(bought)
        price = inputs.prices[asset]
        if shares <= 0 or price is None:
            continue
        reason = _buy_reason(
            inputs,
            asset=asset,
            harvested_sectors=harvested_sectors,
            net_invest=buys_total > sells_total,
        )
        lines.append(
            TradeLine(
                firm_id=firm_id,
                side=TradeSide.BUY,
                security_id=int(inputs.security_ids[asset]),
                shares=shares,
                price=price,
                amount=money_round(shares * price),
                fee=_fee(inputs, shares=shares, price=price),
                reason=reason,
                reason_detail=buy_reason_detail(inputs, weights, reason=reason, asset=asset),
            )
        )
    for position, line in enumerate(lines):
        line.position = position
    return lines


def _left_to_sell(inputs: RebalanceInputs, result) -> list[dict]:
    """Do-not-hold and concentrated names still held after the trades (the budget's doing)."""
    problem = inputs.problem
    remaining = np.zeros(problem.asset_count)
    np.add.at(remaining, problem.lot_asset, problem.lot_shares - result.sell_shares)
    rows = []
    masks = inputs.reason_masks
    for label, mask in (
        ("do not hold", masks["do_not_hold"]),
        ("concentrated", masks["concentrated"]),
    ):
        for asset in np.flatnonzero(mask & (remaining > TINY_SHARES)).tolist():
            shares = _shares(remaining[asset])
            value = money_round(shares * inputs.prices[asset])
            rows.append(
                {
                    "ticker": inputs.tickers[asset],
                    "kind": label,
                    "shares": str(shares),
                    "value": str(value),
                }
            )
    return rows


def _costs_json(costs: Sequence) -> list[dict]:
    return [
        {
            "name": cost.name,
            "description": cost.description,
            "tracking_error": cost.tracking_error,
            "tracking_error_relaxed": cost.tracking_error_relaxed,
            "tax": cost.tax,
            "tax_relaxed": cost.tax_relaxed,
        }
        for cost in costs
    ]


def trade_list_compute(
    *,
    account,
    actor,
    job=None,
    batch=None,
    as_of=None,
    refresh_target: bool = True,
    with_costs: bool = True,
) -> TradeList:
    """Propose trades for one account now (called by the job runner and the batch task).

    Raises InputsRefused (nothing stored) when the account cannot be rebalanced as it stands;
    an infeasible problem is stored as a failed trade list that says which constraint conflicts.
    """
    if account.strategy_id is None:
        raise InputsRefused(
            {"account": f"{account.name} has no strategy: choose one before rebalancing."}
        )
    if refresh_target:
        from esg.services import customized_target_refresh

        state = customized_target_refresh(account=account)
        if state.target is None:
            raise InputsRefused(
                {"account": state.problem or f"{account.name} has no customized target."}
            )
    inputs = inputs_load(account=account, as_of=as_of)
    result = rebalance_solve(inputs.problem)
    costs = constraint_costs(inputs.problem, result) if with_costs and result.ok else []
    return trade_list_store(inputs, result, costs, actor=actor, job=job, batch=batch)


def trade_list_store(
    inputs: RebalanceInputs, result, costs, *, actor, job=None, batch=None
) -> TradeList:
    """Store an engine result on these inputs as a proposed trade list (a failed one when the
    result is not ok): lines, figures from the lines, blocked trades. The proposal above and a
    transition analysis's first-year hand-off (transitions/analysis/handoff.py) both end here.
    """
    account = inputs.account
    settings = inputs.settings
    trade_list = TradeList(
        firm_id=account.firm_id,
        account=account,
        as_of=inputs.as_of,
        inputs_digest=inputs.digest,
        inputs=inputs.digest_parts,
        settings_used=settings.as_json(),
        created_by=actor,
        job=job,
        batch=batch,
        solver_status=result.status,
        solve_seconds=float(result.seconds),
        tracking_error_before=float(result.tracking_error_before),
        value_before=money_round(Decimal(str(result.equity_before or 0.0))),
        cash_before=inputs.cash - settings.deposit,  # the problem's cash holds the deposit
        withdrawal=settings.withdrawal - settings.deposit,
        messages=[*inputs.notes, *result.messages],
    )
    if not result.ok:
        trade_list.status = TradeListStatus.FAILED
        trade_list.error = result.conflict or f"The optimizer found no answer ({result.status})."
        trade_list.cash_after = trade_list.cash_before
        with transaction.atomic():
            trade_list.save()
            _blocked_store(trade_list, inputs)
        return trade_list
    lines = _lines_build(inputs, result)
    st = sum((line.realized_gain for line in lines if line.term == "ST"), ZERO)
    lt = sum((line.realized_gain for line in lines if line.term == "LT"), ZERO)
    rates = TaxRates(short_term=settings.short_term_rate, long_term=settings.long_term_rate)
    proceeds = sum((line.amount for line in lines if line.side == TradeSide.SELL), ZERO)
    costs_total = sum((line.amount for line in lines if line.side == TradeSide.BUY), ZERO)
    # The fees recorded on execution: each line's, to the cent (the engine's float total of
    # the same bps may differ by rounding).
    fees = sum((line.fee for line in lines), ZERO)
    trade_list.tracking_error_after = float(result.tracking_error)
    trade_list.realized_st = money_round(st)
    trade_list.realized_lt = money_round(lt)
    trade_list.estimated_tax = money_round(tax_estimate(st, lt, rates).tax_with_loss_value)
    losses = [g for g in (line.realized_gain for line in lines) if g is not None and g < 0]
    trade_list.harvested_losses = money_round(-sum(losses, ZERO))
    trade_list.turnover = max(float(result.turnover), 0.0)
    trade_list.trade_count = len(lines)
    trade_list.fees = fees
    trade_list.cash_after = (
        trade_list.cash_before + proceeds - costs_total - fees - trade_list.withdrawal
    )
    trade_list.constraint_costs = _costs_json(costs)
    trade_list.left_to_sell = _left_to_sell(inputs, result)
    for row in trade_list.left_to_sell:
        trade_list.messages.append(
            f"{row['ticker']} ({row['kind']}): {row['shares']} shares (${row['value']}) left to "
            "sell; the budget did not allow more this time."
        )
    with transaction.atomic():
        # An older proposal of the same account is superseded by this one.
        TradeList.objects.filter(account=account, status=TradeListStatus.PROPOSED).update(
            status=TradeListStatus.STALE
        )
        trade_list.save()
        for line in lines:
            line.trade_list = trade_list
        TradeLine.objects.bulk_create(lines, batch_size=1000)
        _blocked_store(trade_list, inputs)
    return trade_list


def _blocked_store(trade_list: TradeList, inputs: RebalanceInputs) -> None:
    BlockedTrade.objects.bulk_create(
        [
            BlockedTrade(
                firm_id=trade_list.firm_id,
                trade_list=trade_list,
                security_id=item.security_id,
                blocked=item.blocked,
                reason=item.reason[:300],
            )
            for item in inputs.blocked
        ]
    )


__all__ = ["InputsRefused", "trade_list_compute"]
