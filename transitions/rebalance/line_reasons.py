"""Each trade line's reason in a sentence with its numbers ("Overweight: 2.10% held, target
1.40%, 1.62% after"), so that an advisor can say why without opening the optimizer's inputs.

Weights are of the account's value before the trades (positions plus cash), as the account page
shows them; "after" is the name's weight once every line of the list is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from accounts.templatetags.portal import money as money_text
from pma_engine.rebalance.accounting import equity_of
from transitions.rebalance.models import TradeReason
from transitions.rebalance.types import RebalanceInputs

DETAIL_MAX = 200


@dataclass(frozen=True)
class Weights:
    """Per asset (N,): held before the trades, target, after every line of the list."""

    before: np.ndarray
    target: np.ndarray
    after: np.ndarray

    @classmethod
    def of(cls, inputs: RebalanceInputs, result) -> Weights:
        p = inputs.problem
        held = np.bincount(p.lot_asset, weights=p.lot_shares, minlength=p.asset_count)
        equity = equity_of(p)
        scale = 1.0 / equity if equity > 0 else 0.0
        sold = np.bincount(p.lot_asset, weights=result.sell_shares, minlength=p.asset_count)
        after = (held - sold + result.buy_shares) * p.prices * scale
        return cls(held * p.prices * scale, np.asarray(p.target_weights, dtype=float), after)


def _pct(weight: float) -> str:
    return f"{weight:.2%}"


def _weights(weights: Weights, asset: int, *, target: bool = True) -> str:
    before, after = _pct(weights.before[asset]), _pct(weights.after[asset])
    if not target:
        return f"{before} of the account before, {after} after"
    return f"{before} held, target {_pct(weights.target[asset])}, {after} after"


def sell_reason_detail(
    inputs: RebalanceInputs,
    weights: Weights,
    *,
    reason: str,
    asset: int,
    gain: Decimal,
    basis: Decimal,
    long_term: bool,
) -> str:
    """Why this lot is sold, with the numbers behind the rule that chose the reason."""
    if reason == TradeReason.DO_NOT_HOLD:
        text = f"On the client's do-not-hold list: {_weights(weights, asset, target=False)}"
    elif reason == TradeReason.CONCENTRATED:
        text = f"Concentrated position sold down: {_weights(weights, asset, target=False)}"
    elif reason == TradeReason.EXCLUSION:
        text = f"Excluded by the client's customization: {_weights(weights, asset, target=False)}"
    elif reason == TradeReason.HARVEST:
        share = f" ({-gain / basis:.1%} of its basis)" if basis > 0 else ""
        term = "long-term" if long_term else "short-term"
        text = f"Harvests a {term} loss of {money_text(-gain)}{share}, to offset gains"
    elif reason == TradeReason.TRANSITION:
        text = f"Not in the target: {_weights(weights, asset, target=False)}"
    elif reason == TradeReason.CASH_RAISE:
        withdrawal = money_text(inputs.settings.withdrawal)
        text = f"Raises cash for the {withdrawal} withdrawal: {_weights(weights, asset)}"
    else:
        text = f"Overweight: {_weights(weights, asset)}"
    return text[:DETAIL_MAX]


def buy_reason_detail(inputs: RebalanceInputs, weights: Weights, *, reason: str, asset: int) -> str:
    """Why this name is bought."""
    if reason == TradeReason.HARVEST:
        sector = inputs.sectors[asset] or "its sector's"
        text = f"Keeps the {sector} exposure of the harvested sales: {_weights(weights, asset)}"
    elif reason == TradeReason.CASH_INVEST:
        text = f"Invests cash above the cash target: {_weights(weights, asset)}"
    else:
        text = f"Underweight: {_weights(weights, asset)}"
    return text[:DETAIL_MAX]
