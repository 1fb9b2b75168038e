"""Demo tax lots and trades for every demo household (idempotent: a household that already has
trades is left alone; cash balances are set again each run).

Holdings go through the real upload and import services (as an advisor would), from S&P 500
names of the security master, acquired over the past ~8 years at the (SYNTHETIC) close of
their acquisition day, so there are gains and losses, short and long term. The Morgan household
(Harbor Point) also gets a concentrated low-basis position, a legacy fund outside the master
with an advisor's price, and trades this year: a loss sale in the joint account repurchased in
the IRA within 30 days (a wash sale, code W), a long-term and a short-term sale.
"""

from __future__ import annotations

import bisect
import logging
import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from pma_engine.tax import money_round

logger = logging.getLogger(__name__)

STRATEGY_SLUGS = (
    "di-large-cap",
    "active-quality-core",
    "core-equity",
    "di-all-cap",
    "active-dividend-value",
    "active-all-cap-opportunities",
)
CONCENTRATED_HOUSEHOLD = "The Morgan Household"
LEGACY_FUND = ("HPGRX", Decimal("31.25"))  # an old mutual fund: not in the security master


class PriceBook:
    """Closes by security and date, with a deterministic back-extrapolation (8 % a year) for
    days before the (synthetic) history starts."""

    def __init__(self, security_ids: list[int]):
        from portfolios.models import Price

        self.days: dict[int, list[date]] = {}
        self.closes: dict[int, list[Decimal]] = {}
        for security_id, on, close in (
            Price.objects.filter(security_id__in=security_ids)
            .order_by("security_id", "date")
            .values_list("security_id", "date", "close")
        ):
            self.days.setdefault(security_id, []).append(on)
            self.closes.setdefault(security_id, []).append(close)

    def has(self, security_id: int) -> bool:
        return security_id in self.days

    def on(self, security_id: int, day: date) -> Decimal:
        days, closes = self.days[security_id], self.closes[security_id]
        index = bisect.bisect_right(days, day) - 1
        if index >= 0:
            return money_round(closes[index])
        years = Decimal((days[0] - day).days) / Decimal(365)
        return money_round(closes[0] / (Decimal("1.08") ** years))


def _business_day(day: date) -> date:
    return day - timedelta(days=max(0, day.weekday() - 4))


def demo_lots_seed(*, quick: bool) -> None:
    from accounts.models import Account, Client, User
    from portfolios.models import Security, Strategy

    _strategies_assign(Account=Account, Strategy=Strategy)
    names = list(
        Security.objects.filter(
            firm__isnull=True, is_active=True, indices__contains="S&P 500"
        ).values_list("pk", "ticker")
    )
    if not names:
        logger.warning("demo lots: no S&P 500 names in the security master; skipped")
        return
    book = PriceBook([pk for pk, _ in names])
    priced = [(pk, ticker) for pk, ticker in names if book.has(pk)]
    if not priced:
        logger.warning("demo lots: the security master has no prices; skipped")
        return
    today = timezone.localdate()
    for client in Client.objects.filter(firm__slug__in=("harbor-point", "summit-ridge")):
        rng = random.Random(f"{client.firm.slug}/{client.name}")
        accounts = list(client.accounts.order_by("pk"))
        _cash_set(accounts, rng=random.Random(f"cash/{client.pk}"))
        if _has_trades(client):
            continue
        advisor = client.advisor if isinstance(client.advisor, User) else None
        _holdings_import(client, accounts, priced, book, rng=rng, today=today, actor=advisor)
        if client.name == CONCENTRATED_HOUSEHOLD:
            _trades_this_year(client, accounts, priced, book, rng=rng, today=today, actor=advisor)


def _has_trades(client) -> bool:
    from portfolios.models import Trade

    return Trade.objects.filter(account__client=client).exists()


def _strategies_assign(*, Account, Strategy) -> None:
    strategies = {s.slug: s for s in Strategy.objects.filter(slug__in=STRATEGY_SLUGS)}
    if not strategies:
        return
    accounts = Account.objects.filter(
        firm__slug__in=("harbor-point", "summit-ridge"), strategy__isnull=True
    ).order_by("pk")
    for index, account in enumerate(accounts):
        slug = STRATEGY_SLUGS[index % len(STRATEGY_SLUGS)]
        strategy = strategies.get(slug) or next(iter(strategies.values()))
        Account.objects.filter(pk=account.pk).update(strategy=strategy)


def _cash_set(accounts, *, rng: random.Random) -> None:
    """Each account's cash, through the cash ledger (an opening entry for any difference)."""
    from portfolios.lots.cash import cash_balance_set

    for account in accounts:
        cash = Decimal(rng.randrange(1_000, 25_000)) + Decimal(rng.randrange(0, 100)) / 100
        cash_balance_set(account=account, actor=None, amount=cash)


def _holdings_import(client, accounts, priced, book, *, rng, today, actor) -> None:
    from portfolios.lots import services

    lines = ["account,ticker,shares,acquired_on,cost_basis,lot_id,price"]
    for account in accounts:
        count = rng.randint(10, 40) if account.account_type == "taxable" else rng.randint(4, 10)
        for number in range(count):
            security_id, ticker = rng.choice(priced)
            acquired = _business_day(today - timedelta(days=rng.randint(20, 8 * 365)))
            price = book.on(security_id, acquired)
            shares = max(1, int(rng.uniform(2_000, 25_000) / float(price)))
            basis = money_round(price * shares)
            lines.append(
                f"{account.account_number},{ticker},{shares},{acquired},{basis},"
                f"{account.account_number[-4:]}-{number + 1}"
            )
    taxable = next((a for a in accounts if a.account_type == "taxable"), None)
    if client.name == CONCENTRATED_HOUSEHOLD and taxable is not None:
        security_id, ticker = priced[0]
        acquired = _business_day(today - timedelta(days=8 * 365 + 40))
        price = book.on(security_id, acquired)
        shares = 4_000
        basis = money_round(price * shares * Decimal("0.25"))  # stock grants: a low basis
        lines.append(f"{taxable.account_number},{ticker},{shares},{acquired},{basis},GRANT-1")
        fund, fund_price = LEGACY_FUND
        acquired = _business_day(today - timedelta(days=11 * 365))
        lines.append(f"{taxable.account_number},{fund},850,{acquired},18700.00,FUND-1,{fund_price}")
    batch = services.holdings_upload(
        client=client,
        actor=actor,
        filename="demo-holdings.csv",
        content=("\n".join(lines) + "\n").encode(),
    )
    if batch.status != "previewed":
        logger.warning("demo lots for %s refused: %s", client.name, batch.errors[:3])
        return
    services.holdings_import(batch=batch, actor=actor)


def _trades_this_year(client, accounts, priced, book, *, rng, today, actor) -> None:
    """A wash sale across the joint account and the IRA (half bought back in the IRA: lost for
    good; a quarter in the joint account: carried into its basis), a long-term and a short-term
    sale."""
    from portfolios.lots import services
    from portfolios.models import TaxLot

    taxable = next((a for a in accounts if a.account_type == "taxable"), None)
    ira = next((a for a in accounts if a.account_type != "taxable"), None)
    if taxable is None or ira is None:
        return
    start_of_year = date(today.year, 1, 5)
    sale_day = _business_day(max(start_of_year, today - timedelta(days=75)))
    # A loss: a name bought about ten months before the sale day that is lower on it.
    for security_id, _ticker in priced:
        bought = _business_day(sale_day - timedelta(days=300))
        cost, proceeds = book.on(security_id, bought), book.on(security_id, sale_day)
        if proceeds < cost * Decimal("0.97"):
            break
    else:
        logger.warning("demo lots: no name fell in price; no wash sale in the demo")
        return

    tickers = {pk: t for pk, t in priced}

    def record(account, action, security_id, shares, day, lot=""):
        return services.trade_record(
            account=account,
            actor=actor,
            action=action,
            ticker=tickers[security_id],
            shares=Decimal(shares),
            trade_date=day,
            price=book.on(security_id, day),
            lot_ref=lot,
        )

    loser = security_id
    shares = max(10, int(20_000 / float(cost)))
    record(taxable, "BUY", loser, shares, bought, lot="DEMO-LOSS")
    record(taxable, "SELL", loser, shares, sale_day, lot="DEMO-LOSS")
    record(ira, "BUY", loser, max(1, shares // 2), _business_day(sale_day + timedelta(days=12)))
    # And a quarter bought back in the joint account: that part of the loss is not lost but
    # carried into the new lot's basis (the account page's "Wash adj." column).
    record(taxable, "BUY", loser, max(1, shares // 4), _business_day(sale_day + timedelta(days=20)))
    # A long-term sale: half of the oldest lot of the joint account.
    oldest = (
        TaxLot.objects.filter(account=taxable, security__firm__isnull=True)
        .exclude(lot_ref="GRANT-1")
        .order_by("acquired_on")
        .first()
    )
    if oldest is not None and oldest.security_id in tickers:
        half = max(1, int(oldest.shares / 2))
        day = _business_day(today - timedelta(days=40))
        record(taxable, "SELL", oldest.security_id, half, day, lot=oldest.lot_ref)
    # A short-term sale: a lot bought this spring, sold in the autumn.
    short = priced[len(priced) // 2][0]
    spring = _business_day(max(start_of_year, today - timedelta(days=200)))
    record(taxable, "BUY", short, 50, spring, lot="DEMO-ST")
    record(taxable, "SELL", short, 30, _business_day(today - timedelta(days=20)), lot="DEMO-ST")
