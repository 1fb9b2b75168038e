"""The one adapter from the portal's rows (the stored analysis, the account, its lots and
customization, the firm's branding) to the frozen `ProposalData` the renderer takes.

The analysis' stored result (transition-plan/1 + frontier) is read here and nowhere else in
this package, so a change of its shape is a change here. Nothing is recomputed: scenario
figures are copied as stored; holdings are the account's lots at the latest prices, which are
the prices the analysis ran on because a stale analysis is refused before this runs.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from pma_engine.tax import money_round
from pma_engine.transition import scenario_parse
from transitions.analysis.scenarios import scenario_label
from transitions.proposals.disclosures import DISCLOSURES
from transitions.proposals.types import (
    Assumptions,
    Band,
    Branding,
    Customization,
    FrontierPoint,
    Holding,
    ProposalData,
    ScenarioSummary,
    Trade,
    YearFigures,
)

ZERO = Decimal("0")


def branding_for(*, firm) -> Branding:
    from accounts.models import DEFAULT_BRAND_COLOR, FirmBranding

    row = FirmBranding.objects.filter(firm=firm).first()
    if row is None:
        return Branding(name=firm.name, color=DEFAULT_BRAND_COLOR)
    return Branding(
        name=row.name_shown,
        color=row.color,
        logo_png=bytes(row.logo_png) if row.logo_png else None,
        logo_width=row.logo_width,
        logo_height=row.logo_height,
    )


def _band(value: dict | None) -> Band | None:
    if not value:
        return None
    return Band(p10=value.get("p10"), p50=value.get("p50"), p90=value.get("p90"))


def _scenario(item: dict, *, recommended: str) -> ScenarioSummary:
    bands = item.get("paths") or None
    band_years = bands["years"] if bands else [None] * len(item["years"])
    years = tuple(
        YearFigures(
            year=int(y["year"]),
            realized_st=float(y["realized_st"]),
            realized_lt=float(y["realized_lt"]),
            harvested_losses=float(y["harvested_losses"]),
            tax=float(y["tax"]),
            loss_carryforward=float(y["loss_carryforward"]),
            tracking_error=float(y["tracking_error"]),
            in_target=float(y["in_target"]),
            unrealized_gain=float(y["unrealized_gain"]),
            turnover=float(y["turnover"]),
            trades=int(y["trades"]),
            tax_band=_band(b.get("tax")) if b else None,
            tracking_error_band=_band(b.get("tracking_error")) if b else None,
        )
        for y, b in zip(item["years"], band_years, strict=True)
    )
    total_tax = item.get("total_tax")
    return ScenarioSummary(
        name=item["name"],
        label=scenario_label(scenario_parse(item["name"])),
        is_recommended=item["name"] == recommended,
        years=years,
        total_tax=float(total_tax if total_tax is not None else sum(y.tax for y in years)),
        years_to_target=item.get("years_to_target"),
        years_to_target_band=_band(bands.get("years_to_target")) if bands else None,
        reached_share=bands.get("reached_share") if bands else None,
        after_tax_value=float(item["after_tax_value"]),
        after_tax_band=_band(bands.get("after_tax_value")) if bands else None,
        liquidation_value=float(item["liquidation_value"]),
    )


def _holdings(*, account, target_ids: set[int]) -> tuple[list[Holding], dict[str, object]]:
    """The account's lots summed by security, unrealized gain split by term."""
    from portfolios.lots.selectors import account_lots

    lots = account_lots(account=account)
    by_security: dict[int, dict] = defaultdict(
        lambda: {"shares": ZERO, "value": ZERO, "basis": ZERO, "st": ZERO, "lt": ZERO}
    )
    securities = {}
    lot_info = {}
    for row in lots.rows:
        lot = row.lot
        securities[lot.security_id] = (lot.security, row.price)
        lot_info[str(lot.public_id)] = row
        entry = by_security[lot.security_id]
        entry["shares"] += lot.shares
        entry["basis"] += lot.cost_basis
        if row.market_value is not None:
            entry["value"] += row.market_value
            entry["lt" if row.is_long_term else "st"] += row.unrealized
    holdings = [
        Holding(
            ticker=securities[sid][0].ticker,
            name=securities[sid][0].name,
            shares=e["shares"],
            price=securities[sid][1] or ZERO,
            market_value=money_round(e["value"]),
            cost_basis=money_round(e["basis"]),
            unrealized_short=money_round(e["st"]),
            unrealized_long=money_round(e["lt"]),
            is_in_target=sid in target_ids,
        )
        for sid, e in by_security.items()
    ]
    holdings.sort(key=lambda h: (-h.market_value, h.ticker))
    return holdings, {"lots": lot_info, "securities": securities}


def _trades(*, item: dict, lot_info: dict, buy_ids: dict, prices: dict, names: dict) -> list[Trade]:
    """The recommended scenario's first-year trades as stored, priced at the analysis' prices."""
    out: list[Trade] = []
    for lot_id, shares in item["first_year_trades"]["sell"].items():
        row = lot_info.get(lot_id)
        if row is None or row.price is None:
            continue
        amount = money_round(Decimal(str(shares)) * row.price)
        basis = row.lot.cost_basis * Decimal(str(shares)) / row.lot.shares
        out.append(
            Trade(
                action="Sell",
                ticker=row.lot.security.ticker,
                name=row.lot.security.name,
                shares=float(shares),
                price=row.price,
                amount=amount,
                acquired_on=row.lot.adjusted_acquired_on,
                is_long_term=row.is_long_term,
                gain=money_round(amount - basis),
            )
        )
    for security_id, shares in buy_ids.items():
        price = prices.get(int(security_id))
        if price is None:
            continue
        out.append(
            Trade(
                action="Buy",
                ticker=names[int(security_id)][0],
                name=names[int(security_id)][1],
                shares=float(shares),
                price=price.close,
                amount=money_round(Decimal(str(shares)) * price.close),
            )
        )
    out.sort(key=lambda t: (t.action != "Sell", -t.amount))
    return out


def customization_lines(stored) -> list[Customization]:
    """The stored customized target's costs, one line per customization in force."""
    lines = []
    for cost in stored.costs or []:
        if cost.get("kind") == "total" or not cost.get("in_force", True):
            continue
        lines.append(
            Customization(
                label=cost["label"],
                kind=cost["kind"],
                plain=_plain(cost),
                names_removed=int(cost.get("names_removed") or 0),
                weight_removed=float(cost.get("weight_removed") or 0.0),
                tracking_error=cost.get("tracking_error"),
            )
        )
    return lines


def customizations_plain(*, account) -> tuple[list[Customization], float | None]:
    from esg.selectors import target_stored

    stored = target_stored(account=account)
    if stored is None:
        return [], None
    return customization_lines(stored), stored.tracking_error


def _plain(cost: dict) -> str:
    """One sentence a client understands."""
    label, kind = cost["label"], cost["kind"]
    count = int(cost.get("names_removed") or 0)
    weight = float(cost.get("weight_removed") or 0.0)
    removed = (
        f"{count} compan{'y' if count == 1 else 'ies'} of the strategy ({100 * weight:.1f}% of "
        "its weight) left out; the rest re-weighted to stay close to it."
        if count
        else "No company of the strategy is affected today."
    )
    if kind == "category":
        return f"No holdings in {label}: {removed}"
    if kind == "concentrated":
        return (
            f"{label}: a concentrated position sold down over time with its taxes in mind; "
            f"similar companies are not bought. {removed}"
        )
    return f"{label}. {removed}"


def proposal_data_build(
    *,
    analysis,
    recommended: str,
    shown: list[str],
    note: str,
    version: int,
    prepared_on: date,
    title: str = "Transition proposal",
) -> ProposalData:
    """Everything the PDF says, read once (the caller checked the analysis is current)."""
    from portfolios.risk_selectors import risk_model_latest
    from portfolios.selectors import latest_prices

    account = analysis.account
    client = account.client
    result = analysis.result or {}
    by_name = {item["name"]: (i, item) for i, item in enumerate(result.get("scenarios", []))}
    scenarios = tuple(_scenario(by_name[n][1], recommended=recommended) for n in shown)
    sell_now = (
        _scenario(by_name["immediate"][1], recommended=recommended)
        if "immediate" in by_name
        else None
    )
    position, rec_item = by_name[recommended]
    buy_ids = (result.get("first_year_buys_by_id") or [{}] * (position + 1))[position]

    from esg.selectors import customized_target_weights
    from portfolios.models import Security

    target = customized_target_weights(account=account) or {}
    if not target and account.strategy_id:
        from portfolios.selectors import strategy_version_current, strategy_weights

        version_row = strategy_version_current(strategy=account.strategy)
        target = {int(k): float(v) for k, v in strategy_weights(version=version_row).items()}
    holdings, lookups = _holdings(account=account, target_ids={k for k, v in target.items() if v})
    buy_security_ids = [int(k) for k in buy_ids]
    names = {s.pk: (s.ticker, s.name) for s in Security.objects.filter(pk__in=buy_security_ids)}
    prices = latest_prices(security_ids=buy_security_ids + [sid for sid in lookups["securities"]])
    trades = _trades(
        item=rec_item, lot_info=lookups["lots"], buy_ids=buy_ids, prices=prices, names=names
    )
    customizations, target_te = customizations_plain(account=account)
    frontier = result.get("frontier") or {}
    points = [_frontier_point(p, is_named=False) for p in frontier.get("points", [])] + [
        _frontier_point(p, is_named=True, is_recommended=p["scenario"] == recommended)
        for p in frontier.get("named", [])
        if p["scenario"] in shown
    ]
    risk = risk_model_latest()
    price_rows = list(prices.values())
    strategy = account.strategy
    return ProposalData(
        title=title,
        client_name=client.name,
        account_name=account.name,
        account_description=(
            f"{account.get_account_type_display()} · {account.custodian} "
            f"{account.masked_account_number}"
        ),
        advisor_name=client.advisor.display_name,
        advisor_note=note,
        prepared_on=prepared_on,
        version=version,
        branding=branding_for(firm=account.firm),
        strategy_name=strategy.name if strategy else "",
        strategy_kind=strategy.get_kind_display() if strategy else "",
        strategy_description=(strategy.description if strategy else "") or "",
        target_tracking_error=target_te,
        customizations=tuple(customizations),
        initial_value=float(result.get("initial_value") or 0.0),
        initial_tracking_error=float(result.get("initial_tracking_error") or 0.0),
        scenarios=scenarios,
        holdings=tuple(holdings),
        first_year_trades=tuple(trades),
        frontier=tuple(points),
        frontier_kind=frontier.get("kind", ""),
        assumptions=Assumptions(
            as_of=analysis.as_of,
            years=analysis.years,
            te_goal=float(analysis.te_goal),
            drift=float(analysis.drift),
            paths=int((result.get("paths") or {}).get("count") or 0),
            seed=int((result.get("paths") or {}).get("seed") or analysis.seed),
            short_term_rate=float(client.short_term_rate),
            long_term_rate=float(client.long_term_rate),
            filing_status=client.get_filing_status_display(),
            risk_model=risk.method if risk else "none",
            risk_model_as_of=risk.as_of if risk else None,
            risk_model_is_synthetic=bool(risk and risk.is_synthetic),
            prices_on=max((p.on for p in price_rows), default=None),
            prices_are_synthetic=any(p.source == "synthetic" for p in price_rows),
            target_source=result.get("target_source", "strategy"),
            analysis_id=str(analysis.public_id),
        ),
        sell_now=sell_now,
        disclosures=DISCLOSURES,
    )


def _frontier_point(point: dict, *, is_named: bool, is_recommended: bool = False) -> FrontierPoint:
    """One stored frontier point (a budget swept, or a named scenario) as the PDF draws it."""
    return FrontierPoint(
        label=point["label"],
        scenario=point["scenario"],
        total_tax=float(point["total_tax"]),
        mean_tracking_error=float(point["mean_te"]),
        years_to_target=point.get("years_to_target"),
        is_named=is_named,
        is_recommended=is_recommended,
    )
