"""The one adapter between the portal and the rebalancing engine: everything an account's
rebalance depends on, loaded once (one query per table) and built into a `RebalanceProblem`.

Sources: the household's lots and wash windows (`household_lots_load`), the stored customized
target (`esg`), latest prices, the risk model aligned on the same universe, the account's
restrictions and the rebalance settings. The digest of prices, lots, target and settings marks a
trade list stale when any of them changes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.utils import timezone

from pma_engine.customization import concentrated_mask, scope_mask
from pma_engine.household import WASH_WINDOW_DAYS
from pma_engine.rebalance import RebalanceProblem
from pma_engine.universe import Universe, risk_model_align
from transitions.rebalance.settings import DEFAULT_RISK_AVERSION, settings_effective
from transitions.rebalance.types import BlockedInfo, EffectiveSettings, RebalanceInputs


class InputsRefused(ValidationError):
    """An account that cannot be rebalanced as it stands; the message says what to fix."""


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _target_rows(account):
    from esg.selectors import target_stored
    from portfolios.selectors import strategy_weights

    if account.strategy_id is None:
        raise InputsRefused(
            {"account": f"{account.name} has no strategy: choose one before rebalancing."}
        )
    target = target_stored(account=account)
    if target is None or not target.weights:
        raise InputsRefused(
            {
                "account": f"{account.name} has no customized target yet: open its customized "
                "target and compute it (a risk model is needed)."
            }
        )
    weights = {int(sid): float(w) for sid, w in target.weights}
    strategy = {
        int(sid): float(w) for sid, w in strategy_weights(version=target.strategy_version).items()
    }
    return target, weights, strategy


def _account_lots(account):
    from portfolios.models import TaxLot

    return {
        str(public_id): (pk, ref, shares, basis, acquired, security_id)
        for public_id, pk, ref, shares, basis, acquired, security_id in TaxLot.objects.filter(
            account=account
        ).values_list(
            "public_id",
            "pk",
            "lot_ref",
            "shares",
            "cost_basis",
            "adjusted_acquired_on",
            "security_id",
        )
    }


def _name_groups(universe: Universe) -> tuple[np.ndarray, dict[int, str]]:
    """Per universe position a group id (share classes of one company share one) and, for
    grouped positions, the group's label ("GOOG/GOOGL"); one query."""
    from transitions.rebalance.models import ShareClassMember

    position = {int(sid): i for i, sid in enumerate(universe.ids.tolist())}
    groups = np.arange(len(universe), dtype=np.int64)
    rows = (
        ShareClassMember.objects.filter(group__members__security_id__in=list(position))
        .values_list("group_id", "security_id", "security__ticker")
        .distinct()
    )
    tickers: dict[int, set[str]] = {}
    members: dict[int, list[int]] = {}
    for group_id, security_id, ticker in rows:
        tickers.setdefault(group_id, set()).add(ticker)
        if security_id in position:
            members.setdefault(group_id, []).append(position[security_id])
    labels: dict[int, str] = {}
    for group_id, found in members.items():
        groups[found] = min(found)
        for row in found:
            labels[row] = "/".join(sorted(tickers[group_id]))
    return groups, labels


def _recent_trades(*, client, as_of: date):
    """The household's trades in the wash window: (security id, action, date, account name,
    amount, trade pk)."""
    from portfolios.models import Trade

    start = as_of - timedelta(days=WASH_WINDOW_DAYS)
    return list(
        Trade.objects.filter(account__client=client, trade_date__gte=start, trade_date__lte=as_of)
        .order_by("-trade_date", "-id")
        .values_list("security_id", "action", "trade_date", "account__name", "pk")
    )


def _loss_sales(*, client, recent) -> dict[int, tuple[date, str]] | None:
    """security id -> (date, account) of its latest sale at a loss in the window, from the
    household's ledger; None when the ledger cannot be run (then every sale counts)."""
    from portfolios.lots.ledger import household_ledger_run

    sale_pks = {pk for _, action, _, _, pk in recent if action == "SELL"}
    if not sale_pks:
        return {}
    try:
        ledger = household_ledger_run(client=client)
    except ValidationError:
        return None
    names = {pk: name for _, _, _, name, pk in recent}
    losses: dict[int, tuple[date, str]] = {}
    for disposition in ledger.result.dispositions:
        trade = ledger.trades[disposition.sale_index]
        if trade.trade_id not in sale_pks or disposition.proceeds >= disposition.cost_basis:
            continue
        seen = losses.get(trade.security_id)
        if seen is None or seen[0] < trade.trade_date:
            losses[trade.security_id] = (trade.trade_date, names[trade.trade_id])
    return losses


def _customization_masks(*, account, universe: Universe, as_of: date) -> dict[str, np.ndarray]:
    from esg.models import CategoryMember
    from esg.selectors import customization_stored

    resolved = customization_stored(account=account)
    empty = np.zeros(len(universe), dtype=bool)
    masks = {
        "exclusion": empty.copy(),
        "do_not_buy": empty.copy(),
        "do_not_hold": empty.copy(),
        "concentrated": empty.copy(),
        "concentrated_industry": empty.copy(),
    }
    if resolved.categories:
        members = CategoryMember.objects.filter(
            category__in=[c.pk for c in resolved.categories],
            security_id__in=universe.ids.tolist(),
        ).values_list("security_id", flat=True)
        masks["exclusion"] = universe.mask(members)
    for restriction in resolved.restrictions:
        if not restriction.is_effective_on(as_of):
            continue
        mask = scope_mask(
            universe,
            scope=restriction.scope,
            security_id=restriction.security.pk if restriction.security else None,
            value=restriction.value,
        )
        masks[str(restriction.mode)] |= mask
    for position in resolved.concentrated_positions:
        own = universe.mask([position.security.pk])
        masks["concentrated"] |= own
        masks["concentrated_industry"] |= (
            concentrated_mask(
                universe, security_id=position.security.pk, industry=position.security.industry
            )
            & ~own
        )
    masks["do_not_buy"] &= ~masks["do_not_hold"]
    return masks


def _settings_check(settings: EffectiveSettings, *, equity: Decimal) -> None:
    if settings.budget_amount is not None and settings.budget_amount < 0:
        raise InputsRefused({"budget_amount": "A budget cannot be negative (zero is allowed)."})
    if settings.withdrawal > 0 and settings.withdrawal + settings.cash_target > equity:
        raise InputsRefused(
            {
                "withdrawal": f"A withdrawal of ${settings.withdrawal:,.2f} (plus a cash target "
                f"of ${settings.cash_target:,.2f}) is larger than the account's value "
                f"(${equity:,.2f})."
            }
        )


def inputs_load(
    *, account, as_of: date | None = None, with_risk_model: bool = True
) -> RebalanceInputs:
    """Load everything and build the engine problem (InputsRefused says what is missing).

    `with_risk_model=False` skips the risk model (the stale check only needs the digest).
    """
    from portfolios.lots.selectors import household_lots_load
    from portfolios.risk_selectors import risk_model_latest, risk_model_load
    from portfolios.selectors import account_cash, latest_prices, universe_load

    as_of = as_of or timezone.localdate()
    target_row, target_weights, strategy_weights = _target_rows(account)
    universe = universe_load(security_ids=sorted(target_weights))
    universe, household = household_lots_load(client=account.client, as_of=as_of, universe=universe)
    count = len(universe)
    positions = np.flatnonzero(household.account_ids == account.pk)
    own = household.lot_account == (positions[0] if len(positions) else -1)
    if not own.any():
        raise InputsRefused(
            {"account": f"{account.name} holds no tax lots: upload its holdings first."}
        )
    lot_rows = _account_lots(account)
    lot_ids = tuple(pid for pid, mine in zip(household.lot_public_ids, own, strict=True) if mine)
    lot_asset = household.lot_security[own]

    closes = latest_prices(security_ids=universe.ids.tolist())
    price_dec = tuple(
        closes[int(sid)].close if int(sid) in closes else None for sid in universe.ids.tolist()
    )
    held_unpriced = sorted(
        {universe.tickers[i] for i in lot_asset.tolist() if price_dec[i] is None}
    )
    if held_unpriced:
        raise InputsRefused(
            {"prices": f"No price for held names: {', '.join(held_unpriced)}. Load prices first."}
        )
    priced = np.array([p is not None for p in price_dec], dtype=bool)
    prices = np.array([float(p) if p is not None else 1.0 for p in price_dec], dtype=np.float64)

    settings = settings_effective(account=account)
    cash = account_cash(account=account)
    if cash < 0:
        raise InputsRefused(
            {
                "cash": f"{account.name} shows negative cash (${cash:,.2f}): record the "
                "deposit first."
            }
        )
    shares = household.shares[own]
    held_value = np.zeros(count)
    np.add.at(held_value, lot_asset, shares * prices[lot_asset])
    equity = Decimal(str(round(float(held_value.sum()), 2))) + cash
    _settings_check(settings, equity=equity)

    masks = _customization_masks(account=account, universe=universe, as_of=as_of)
    target = universe.align(target_weights)
    # Do not buy: kept, never bought. The target may hold such a name up to what the account
    # holds (at most its strategy weight) instead of zero; the other names make room.
    strategy = universe.align({k: v for k, v in strategy_weights.items() if k in universe})
    equity_f = float(equity) if equity > 0 else 1.0
    keep = masks["do_not_buy"] & ~masks["exclusion"] & ~masks["concentrated"]
    kept = np.minimum(strategy, held_value / equity_f) * keep
    if kept.sum() > 0:
        rest = target * ~keep
        target = rest * (1.0 - kept.sum()) / max(rest.sum(), 1e-12) + kept
    target = target / target.sum()

    recent = _recent_trades(client=account.client, as_of=as_of)
    groups, group_labels = _name_groups(universe)
    buy_blocked, loss_blocked, blocked = _wash_guard(
        account=account,
        universe=universe,
        household=household,
        recent=recent,
        groups=groups,
        group_labels=group_labels,
    )
    restricted = (
        masks["exclusion"]
        | masks["do_not_buy"]
        | masks["do_not_hold"]
        | masks["concentrated"]
        | masks["concentrated_industry"]
    )
    buy_allowed = ~(restricted | buy_blocked | ~priced)
    basis_per_share = household.basis_per_share[own]
    lot_sell_max = shares.copy()
    frozen = loss_blocked[lot_asset] & (prices[lot_asset] < basis_per_share)
    lot_sell_max[frozen] = 0.0
    wants_more = target > held_value / equity_f + 1e-6
    blocked = _blocked_list(
        blocked=blocked,
        universe=universe,
        masks=masks,
        wants_more=wants_more,
        priced=priced,
        frozen_assets=set(lot_asset[frozen].tolist()),
        loss_blocked=loss_blocked,
    )

    model = None
    if with_risk_model:
        row = risk_model_latest()
        if row is None:
            raise InputsRefused(
                {"risk_model": "No risk model yet: platform staff build it before rebalancing."}
            )
        model = risk_model_align(risk_model_load(row_id=row.pk), universe)
    withdrawal = float(settings.withdrawal - settings.deposit)
    days_held = household.as_of - household.acquired_adjusted[own]
    problem = RebalanceProblem(
        labels=universe.tickers,
        prices=prices,
        target_weights=target,
        exposures=model.exposures if model is not None else np.zeros((count, 0)),
        factor_covariance=model.factor_cov if model is not None else np.zeros((0, 0)),
        specific_variance=model.specific_var if model is not None else np.zeros(count),
        cash=float(cash) + (float(settings.deposit)),
        lot_ids=lot_ids,
        lot_asset=lot_asset.astype(np.int64),
        lot_shares=shares,
        lot_basis_per_share=basis_per_share,
        lot_is_long_term=household.is_long_term[own],
        lot_days_held=days_held.astype(np.int64),
        short_term_rate=float(settings.short_term_rate),
        long_term_rate=float(settings.long_term_rate),
        gain_budget=_budget(settings, "gain"),
        tax_budget=_budget(settings, "tax"),
        te_max=float(settings.te_max_pct) / 100 if settings.te_max_pct else None,
        max_turnover=(
            float(settings.max_turnover_pct) / 100
            if settings.max_turnover_pct is not None
            else None
        ),
        trading_cost_bps=float(settings.trading_cost_bps),
        withdrawal=max(withdrawal, 0.0),
        cash_target=float(settings.cash_target),
        min_trade_value=float(settings.min_trade_value),
        whole_shares=settings.whole_shares,
        buy_allowed=buy_allowed,
        lot_sell_max=lot_sell_max,
        name_group=groups,
        forbid_buy_and_loss_sell=True,
        risk_aversion=float(settings.risk_aversion),
        loss_harvest_min_fraction=float(settings.loss_harvest_min_pct) / 100,
        loss_harvest_min_value=float(settings.loss_harvest_min_value),
    )
    rows = [lot_rows[pid] for pid in lot_ids]
    parts = {
        "prices": _digest([(int(s), str(p)) for s, p in zip(universe.ids, price_dec, strict=True)]),
        "lots": _digest(
            [
                (pid, str(s), str(b), str(a))
                for pid, s, b, a in zip(
                    household.lot_public_ids,
                    household.shares.tolist(),
                    household.basis.tolist(),
                    household.acquired_adjusted.tolist(),
                    strict=True,
                )
            ]
            + [("recent", [r[4] for r in recent])]
        ),
        "cash": str(cash),
        "target": _digest([target_row.pk, target_row.inputs_hash, str(target_row.computed_at)]),
        "settings": _digest(
            [
                _settings_digested(settings),
                {k: np.flatnonzero(v).tolist() for k, v in masks.items()},
            ]
        ),
    }
    notes = []
    if (~priced & (target > 0)).any():
        missing = [universe.tickers[i] for i in np.flatnonzero(~priced & (target > 0))[:5]]
        notes.append(f"No price for {', '.join(missing)}: not bought.")
    if account.is_tax_deferred:
        notes.append("A tax-deferred account: gains and losses are not taxed, no budget applies.")
    return RebalanceInputs(
        account=account,
        as_of=as_of,
        problem=problem,
        security_ids=universe.ids,
        tickers=universe.tickers,
        sectors=universe.sectors,
        prices=price_dec,
        lot_public_ids=lot_ids,
        lot_pks=tuple(r[0] for r in rows),
        lot_refs=tuple(r[1] for r in rows),
        lot_shares=tuple(r[2] for r in rows),
        lot_basis=tuple(r[3] for r in rows),
        lot_acquired=tuple(r[4] for r in rows),
        settings=settings,
        reason_masks=masks,
        blocked=tuple(blocked),
        digest=_digest(parts),
        digest_parts=parts,
        target_id=target_row.pk,
        notes=tuple(notes),
    )


def _settings_digested(settings: EffectiveSettings) -> dict:
    """The settings part of the digest. The risk aversion joins it only when it is not the
    built-in default, so that proposals made before it was a setting are not made stale."""
    data = settings.as_json()
    if settings.risk_aversion == DEFAULT_RISK_AVERSION:
        data.pop("risk_aversion", None)
    return data


def _budget(settings: EffectiveSettings, kind: str) -> float | None:
    amount = settings.budget_amount
    return float(amount) if settings.budget_kind == kind and amount is not None else None


def _wash_guard(*, account, universe, household, recent, groups, group_labels):
    """Names whose buy would wash a recent loss sale, and names whose loss sale a recent buy
    would wash, anywhere in the household (IRAs included); share classes count as one name."""
    count = len(universe)
    position = {int(sid): i for i, sid in enumerate(universe.ids.tolist())}
    losses = _loss_sales(client=account.client, recent=recent)
    buy_reason: dict[int, str] = {}
    loss_reason: dict[int, str] = {}
    for security_id, action, day, account_name, _ in recent:
        row = position.get(security_id)
        if row is None:
            continue
        if action == "SELL" and row not in buy_reason:
            if losses is None:
                buy_reason[row] = (
                    f"wash sale: {universe.tickers[row]} sold on {day} in {account_name} "
                    "(within 30 days)"
                )
            elif security_id in losses:
                when, where = losses[security_id]
                buy_reason[row] = (
                    f"wash sale: {universe.tickers[row]} sold at a loss on {when} in {where}"
                )
        if action == "BUY" and row not in loss_reason:
            loss_reason[row] = (
                f"wash sale: {universe.tickers[row]} bought on {day} in {account_name}; a loss "
                "sale now would be washed"
            )
    buy_blocked = np.zeros(count, dtype=bool)
    loss_blocked = np.zeros(count, dtype=bool)
    reasons: dict[tuple[int, str], str] = {}
    for source, target_mask, kind in (
        (buy_reason, buy_blocked, "buy"),
        (loss_reason, loss_blocked, "loss_sale"),
    ):
        for row, reason in source.items():
            same = np.flatnonzero(groups == groups[row])
            target_mask[same] = True
            for other in same.tolist():
                text = reason
                if other != row:
                    text = f"{reason} (same company: {group_labels.get(other, '')})"
                reasons.setdefault((other, kind), text)
    return buy_blocked, loss_blocked, reasons


def _blocked_list(*, blocked, universe, masks, wants_more, priced, frozen_assets, loss_blocked):
    """The trades the proposal may not make and why: wash-blocked buys the target wants,
    frozen loss lots, and restricted names the target would buy more of."""
    result: list[BlockedInfo] = []
    ids = universe.ids.tolist()
    for (row, kind), reason in sorted(blocked.items()):
        if kind == "buy" and not wants_more[row]:
            continue
        if kind == "loss_sale" and row not in frozen_assets:
            continue
        result.append(BlockedInfo(security_id=ids[row], blocked=kind, reason=reason))
    wash_rows = {row for row, kind in blocked if kind == "buy"}
    labels = (
        ("do_not_buy", "do not buy: kept, never bought"),
        ("concentrated_industry", "same industry as a concentrated position: not bought"),
    )
    for name, reason in labels:
        for row in np.flatnonzero(masks[name] & wants_more).tolist():
            if row not in wash_rows:
                result.append(BlockedInfo(security_id=ids[row], blocked="buy", reason=reason))
    del priced, loss_blocked
    return result
