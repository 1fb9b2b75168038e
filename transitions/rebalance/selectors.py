"""Reads of trade lists and batches: access helpers (404 for missing and for someone else's),
the page's rows, and whether a proposal is stale (its inputs changed since)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from accounts.scoping import access_object, access_object_for_write
from transitions.rebalance.models import (
    RebalanceBatch,
    RebalanceSettings,
    TradeList,
    TradeListStatus,
)

PART_LABELS = {
    "prices": "prices changed",
    "lots": "the household's lots or trades changed",
    "cash": "the account's cash changed",
    "target": "the customized target changed",
    "settings": "the rebalance settings or restrictions changed",
}
OPEN_STATUSES = (TradeListStatus.PROPOSED, TradeListStatus.APPROVED, TradeListStatus.EXPORTED)


def _trade_lists():
    return TradeList.objects.select_related(
        "account__client", "created_by", "approved_by", "executed_by", "job", "batch"
    )


def access_trade_list(*, user, id) -> TradeList:  # noqa: A002
    return access_object(_trade_lists(), user=user, public_id=id)


def access_trade_list_for_write(*, user, id) -> TradeList:  # noqa: A002
    return access_object_for_write(_trade_lists(), user=user, public_id=id)


def access_batch(*, user, id) -> RebalanceBatch:  # noqa: A002
    return access_object(
        RebalanceBatch.objects.select_related("strategy", "advisor", "created_by"),
        user=user,
        public_id=id,
    )


def access_batch_for_write(*, user, id) -> RebalanceBatch:  # noqa: A002
    return access_object_for_write(RebalanceBatch.objects.all(), user=user, public_id=id)


def trade_list_stale_reasons(*, trade_list: TradeList) -> list[str]:
    """What changed since the proposal (empty: still current). Reads only; never solves."""
    from esg.selectors import customized_target_state
    from transitions.rebalance.inputs import inputs_load

    if trade_list.status not in OPEN_STATUSES:
        return []
    try:
        current = inputs_load(account=trade_list.account, with_risk_model=False)
    except ValidationError as error:
        return ["the account can no longer be rebalanced: " + " ".join(error.messages)]
    reasons = [
        label
        for part, label in PART_LABELS.items()
        if trade_list.inputs.get(part) != current.digest_parts.get(part)
    ]
    if not reasons and current.digest != trade_list.inputs_digest:
        reasons.append("its inputs changed")
    state = customized_target_state(account=trade_list.account)
    if state.is_stale:
        reasons.append("the customized target's own inputs changed: " + state.stale_reason)
    return reasons


def account_trade_lists(*, account, limit: int = 5) -> list[TradeList]:
    return list(TradeList.objects.filter(account=account).select_related("created_by")[:limit])


@dataclass(frozen=True)
class TradeListView:
    trade_list: TradeList
    sells: list
    buys: list
    blocked: list
    stale_reasons: list[str]

    @property
    def is_stale(self) -> bool:
        return bool(self.stale_reasons)

    # Totals of the lines shown: each line's amount is already money_round(shares × price),
    # so a column sums to its total to the cent.
    @property
    def sells_proceeds(self) -> Decimal:
        return sum((line.amount for line in self.sells), Decimal("0.00"))

    @property
    def sells_basis(self) -> Decimal:
        return sum((line.cost_basis or 0 for line in self.sells), Decimal("0.00"))

    @property
    def sells_gain(self) -> Decimal:
        return sum((line.realized_gain or 0 for line in self.sells), Decimal("0.00"))

    @property
    def buys_cost(self) -> Decimal:
        return sum((line.amount for line in self.buys), Decimal("0.00"))

    @property
    def sells_fees(self) -> Decimal:
        return sum((line.fee for line in self.sells), Decimal("0.00"))

    @property
    def buys_fees(self) -> Decimal:
        return sum((line.fee for line in self.buys), Decimal("0.00"))


def trade_list_view(*, trade_list: TradeList) -> TradeListView:
    lines = list(trade_list.lines.select_related("security", "lot").order_by("position"))
    return TradeListView(
        trade_list=trade_list,
        sells=[line for line in lines if line.side == "SELL"],
        buys=[line for line in lines if line.side == "BUY"],
        blocked=list(trade_list.blocked_trades.select_related("security")),
        stale_reasons=trade_list_stale_reasons(trade_list=trade_list),
    )


def batch_items(*, batch: RebalanceBatch):
    return batch.items.select_related("account__client", "trade_list").order_by("id")


def settings_row(*, firm, account=None) -> RebalanceSettings | None:
    if account is None:
        return RebalanceSettings.objects.filter(firm=firm, account__isnull=True).first()
    return RebalanceSettings.objects.filter(account=account).first()
