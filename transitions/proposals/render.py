"""The proposal PDF: a pure function from `ProposalData` to bytes (WeasyPrint over a Django
template, with matplotlib SVG charts inline). Storing it is `services.proposal_version_store`.
"""

from __future__ import annotations

import base64

from django.template.loader import render_to_string

from transitions.proposals import charts
from transitions.proposals.formatting import money, pct, shares, years
from transitions.proposals.ledger import Column, ledger_chunks
from transitions.proposals.types import ProposalData

TEMPLATE = "transitions/proposals/pdf.html"


def _headline(data: ProposalData) -> dict:
    """Page one's sentences, from the stored figures (formatted once, here)."""
    rec = data.recommended
    lines = {
        "tax_first": money(rec.first_year_tax),
        "tax_total": money(rec.total_tax),
        "to_target": years(rec.years_to_target),
        "te_now": pct(data.initial_tracking_error),
        "te_end": pct(rec.final_tracking_error),
        "after_tax": money(rec.after_tax_value),
    }
    now = data.sell_now
    if now is not None and now.name != rec.name:
        difference = rec.after_tax_value - now.after_tax_value
        lines["sell_now_after_tax"] = money(now.after_tax_value)
        lines["sell_now_tax_first"] = money(now.first_year_tax)
        lines["difference"] = money(abs(difference))
        lines["difference_is_gain"] = difference >= 0
    return lines


HOLDING_COLUMNS = (
    Column("Ticker", 8, "left"),
    Column("Name", 30, "left"),
    Column("Shares", 11),
    Column("Market value", 15),
    Column("Cost basis", 15),
    Column("Unrealized ST", 14),
    Column("Unrealized LT", 14),
)
SELL_COLUMNS = (
    Column("Ticker", 8, "left"),
    Column("Name", 24, "left"),
    Column("Acquired", 10, "left"),
    Column("Term", 5, "left"),
    Column("Shares", 11),
    Column("Price", 10),
    Column("Proceeds", 14),
    Column("Gain or loss", 14),
)
BUY_COLUMNS = (
    Column("Ticker", 8, "left"),
    Column("Name", 40, "left"),
    Column("Shares", 12),
    Column("Price", 12),
    Column("Cost", 15),
)


def _holdings_ledger(data: ProposalData, totals: dict):
    rows = [
        (
            h.ticker + ("" if h.is_in_target else " ◦"),
            h.name,
            shares(h.shares),
            money(h.market_value, cents=True),
            money(h.cost_basis, cents=True),
            money(h.unrealized_short, cents=True),
            money(h.unrealized_long, cents=True),
        )
        for h in data.holdings
    ]
    total = (
        "Total",
        f"{len(data.holdings)} holdings",
        "",
        money(totals["value"], cents=True),
        money(totals["basis"], cents=True),
        money(totals["short"], cents=True),
        money(totals["long"], cents=True),
    )
    return ledger_chunks(HOLDING_COLUMNS, rows, total=total)


def _trades_ledgers(sells, buys):
    sell_rows = [
        (
            t.ticker,
            t.name,
            t.acquired_on.isoformat() if t.acquired_on else "",
            "long" if t.is_long_term else "short",
            shares(t.shares),
            money(t.price, cents=True),
            money(t.amount, cents=True),
            money(t.gain, cents=True),
        )
        for t in sells
    ]
    buy_rows = [
        (
            t.ticker,
            t.name,
            shares(t.shares),
            money(t.price, cents=True),
            money(t.amount, cents=True),
        )
        for t in buys
    ]
    return (
        ledger_chunks(SELL_COLUMNS, sell_rows, first_chunk=40) if sells else [],
        ledger_chunks(BUY_COLUMNS, buy_rows, first_chunk=30) if buys else [],
    )


def proposal_context(data: ProposalData, *, with_charts: bool = True) -> dict:
    rec = data.recommended
    brand = data.branding.color
    chart = {}
    if with_charts:
        chart = {
            "summary": charts.summary_chart_svg(rec, te_goal=data.assumptions.te_goal, brand=brand),
            "tax": charts.years_chart_svg(data.scenarios, key="tax", brand=brand),
            "tracking_error": charts.years_chart_svg(
                data.scenarios,
                key="tracking_error",
                brand=brand,
                te_goal=data.assumptions.te_goal,
            ),
            "frontier": charts.frontier_svg(data.frontier, brand=brand) if data.frontier else "",
        }
    logo = None
    if data.branding.logo_png:
        logo = "data:image/png;base64," + base64.b64encode(data.branding.logo_png).decode()
    totals = {
        "value": sum((h.market_value for h in data.holdings), start=0),
        "basis": sum((h.cost_basis for h in data.holdings), start=0),
        "short": sum((h.unrealized_short for h in data.holdings), start=0),
        "long": sum((h.unrealized_long for h in data.holdings), start=0),
    }
    sells = [t for t in data.first_year_trades if t.action == "Sell"]
    buys = [t for t in data.first_year_trades if t.action == "Buy"]
    sell_ledger, buy_ledger = _trades_ledgers(sells, buys)
    return {
        "holdings_ledger": _holdings_ledger(data, totals),
        "sell_ledger": sell_ledger,
        "buy_ledger": buy_ledger,
        "d": data,
        "rec": rec,
        "headline": _headline(data),
        "charts": chart,
        "logo": logo,
        "totals": totals,
        "top_holdings": data.holdings[:12],
        "outside_target": [h for h in data.holdings if not h.is_in_target],
        "sells": sells,
        "buys": buys,
        "sell_total": sum((t.amount for t in sells), start=0),
        "buy_total": sum((t.amount for t in buys), start=0),
        "year_numbers": [y.year for y in rec.years],
    }


def proposal_html(data: ProposalData, *, with_charts: bool = True) -> str:
    return render_to_string(TEMPLATE, proposal_context(data, with_charts=with_charts))


def proposal_pdf_document(data: ProposalData, *, with_charts: bool = True) -> tuple[bytes, int]:
    """(PDF bytes, page count)."""
    from weasyprint import HTML

    document = HTML(string=proposal_html(data, with_charts=with_charts)).render()
    return document.write_pdf(), len(document.pages)


def proposal_pdf_render(data: ProposalData, *, with_charts: bool = True) -> bytes:
    """The proposal as PDF bytes. No database, no files: the same data gives the same pages."""
    return proposal_pdf_document(data, with_charts=with_charts)[0]
