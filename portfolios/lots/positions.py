"""Reads behind the account page's positions: the open lots grouped by security, the account's
and the household's totals, and the sector split of the holdings beside the target's.

Every money figure is built from one rule: a lot's value is money_round(shares x price), and
everything above a lot (its position, the account, the household) is a sum of those, so that
what a page shows adds up to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pma_engine.tax import money_round
from portfolios.lots.selectors import AccountLots, LotRow, account_lots
from portfolios.models import GICS_SECTORS, Security
from portfolios.selectors import strategy_version_current, strategy_weights

ZERO = Decimal("0")
UNCLASSIFIED = "Unclassified"


@dataclass(frozen=True)
class Position:
    """One security of the account, its lots underneath."""

    key: str  # a DOM-safe id, unique on the page
    security: Security
    lots: tuple[LotRow, ...]
    shares: Decimal
    price: Decimal | None
    price_date: date | None
    market_value: Decimal | None  # None when the security has no price
    cost_basis: Decimal
    unrealized: Decimal | None
    weight: Decimal | None  # fraction of the account's total (positions + cash)
    long_term_shares: Decimal
    short_term_shares: Decimal
    wash_adjustment: Decimal
    is_washed: bool
    is_legacy: bool

    @property
    def lot_count(self) -> int:
        return len(self.lots)


@dataclass(frozen=True)
class AccountPositions:
    positions: list[Position]
    market_value: Decimal  # of the priced positions
    cost_basis: Decimal  # book value, every lot
    unrealized: Decimal  # of the priced lots
    wash_adjustment: Decimal
    cash: Decimal
    total: Decimal  # positions + cash
    lot_count: int
    unpriced: int  # lots without a price, left out of the value
    has_legacy: bool

    def __bool__(self) -> bool:
        return bool(self.positions)

    def __iter__(self):
        return iter(self.positions)

    def __len__(self) -> int:
        return len(self.positions)


def _fraction(part: Decimal | None, whole: Decimal) -> Decimal | None:
    if part is None or whole <= 0:
        return None
    return part / whole


def positions_group(*, lots: AccountLots, cash: Decimal) -> AccountPositions:
    """Group an account's lot rows by security (in the rows' order: by ticker) with totals."""
    cash = money_round(cash)
    groups: dict[int, list[LotRow]] = {}
    for row in lots.rows:
        groups.setdefault(row.lot.security_id, []).append(row)
    total = lots.market_value or ZERO
    account_total = total + cash
    positions = []
    for number, rows in enumerate(groups.values(), start=1):
        priced = [r for r in rows if r.market_value is not None]
        value = sum((r.market_value for r in priced), ZERO) if priced else None
        first = rows[0]
        positions.append(
            Position(
                key=f"position-{number}",
                security=first.lot.security,
                lots=tuple(rows),
                shares=sum((r.lot.shares for r in rows), ZERO),
                price=first.price,
                price_date=first.price_date,
                market_value=value,
                cost_basis=sum((r.lot.cost_basis for r in rows), ZERO),
                unrealized=sum((r.unrealized for r in priced), ZERO) if priced else None,
                weight=_fraction(value, account_total),
                long_term_shares=sum((r.lot.shares for r in rows if r.is_long_term), ZERO),
                short_term_shares=sum((r.lot.shares for r in rows if not r.is_long_term), ZERO),
                wash_adjustment=sum((r.lot.wash_adjustment for r in rows), ZERO),
                is_washed=any(r.is_washed for r in rows),
                is_legacy=first.is_legacy,
            )
        )
    return AccountPositions(
        positions=positions,
        market_value=total,
        cost_basis=lots.cost_basis,
        unrealized=lots.unrealized or ZERO,
        wash_adjustment=lots.wash_adjustment,
        cash=cash,
        total=account_total,
        lot_count=len(lots),
        unpriced=lots.unpriced,
        has_legacy=lots.has_legacy,
    )


def account_positions(*, account, as_of: date | None = None) -> AccountPositions:
    """The account's positions (lots folded underneath) with the account's totals."""
    lots = account_lots(account=account, as_of=as_of)
    return positions_group(lots=lots, cash=account.cash_balance)


# --------------------------------------------------------------------------- the household


@dataclass(frozen=True)
class HouseholdTotal:
    total: Decimal  # every account of the household the user may see: positions + cash
    account_count: int
    account_share: Decimal | None  # this account's fraction of it


def household_total(*, account, user, account_total: Decimal) -> HouseholdTotal:
    """The household's total as its client page shows it (the same accounts, the same values:
    `accounts.selectors.household_values`), and this account's share of it when it is counted."""
    from accounts.selectors import household_values

    values = household_values(user=user, client=account.client)
    total = values.total if values.total is not None else ZERO
    counted = any(
        row.account.pk == account.pk and row.market_value is not None for row in values.rows
    )
    return HouseholdTotal(
        total=total,
        account_count=values.valued_count,
        account_share=_fraction(account_total, total) if counted else None,
    )


# --------------------------------------------------------------------------- sectors


@dataclass(frozen=True)
class SectorWeight:
    sector: str
    holdings: Decimal  # fraction of the priced positions (cash left out)
    target: Decimal | None  # fraction of the target; None when there is no target


@dataclass(frozen=True)
class SectorAllocation:
    rows: list[SectorWeight]
    target_label: str  # "customized target" or "strategy"; "" without a target


def sector_split(weights: Mapping[int, float | Decimal]) -> dict[str, Decimal]:
    """Weights by security id summed by sector (one query)."""
    sectors = dict(Security.objects.filter(pk__in=list(weights)).values_list("pk", "sector"))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for pk, weight in weights.items():
        totals[sectors.get(pk) or UNCLASSIFIED] += Decimal(str(weight))
    return totals


def account_sector_allocation(
    *,
    positions: AccountPositions,
    target_weights: Mapping[int, float | Decimal] | None,
    target_label: str,
) -> SectorAllocation:
    """The holdings' sector weights beside a stored target's (given by the caller: the
    customized target as stored, or the strategy's model weights). Nothing is solved here."""
    held: dict[str, Decimal] = defaultdict(Decimal)
    for position in positions:
        if position.market_value is not None:
            held[position.security.sector or UNCLASSIFIED] += position.market_value
    invested = sum(held.values(), ZERO)
    holdings = {s: v / invested for s, v in held.items()} if invested > 0 else {}
    target = sector_split(target_weights) if target_weights else {}
    known = [*GICS_SECTORS, UNCLASSIFIED]
    order = known + sorted(s for s in {*holdings, *target} if s not in known)
    rows = [
        SectorWeight(
            sector=sector,
            holdings=holdings.get(sector, ZERO),
            target=target.get(sector, ZERO) if target else None,
        )
        for sector in order
        if holdings.get(sector) or target.get(sector)
    ]
    return SectorAllocation(rows=rows, target_label=target_label if target else "")


def account_target_weights(*, account, stored_target=None) -> tuple[dict[int, float], str]:
    """The weights the account is compared with, and their name: the stored customized target
    (`stored_target`, rows of [security id, weight]) when there is one, else the current model
    weights of the account's strategy; ({}, "") without either."""
    if stored_target is not None and stored_target.weights:
        return {int(pk): float(w) for pk, w in stored_target.weights}, "customized target"
    if account.strategy_id is None:
        return {}, ""
    version = strategy_version_current(strategy=account.strategy)
    weights = {pk: float(w) for pk, w in strategy_weights(version=version).items()}
    return weights, "strategy" if weights else ""
