"""Benchmark of the proposal PDF: a full proposal (page-one summary, 4 scenarios over 5 years
with percentile bands, 4 vector charts, the frontier, 70 first-year trades and a 500-name
holdings appendix) rendered from a synthetic `ProposalData` by the pure renderer (no
database). Warm-up once (matplotlib and font caches), then the median of 3 runs.

Baselines in the same run: the same PDF without charts (what the charts cost), and the
500-name holdings appendix alone as a plain HTML table (one WeasyPrint box per cell: what the
appendix would cost without the ledger layout).
"""

from __future__ import annotations

import logging
import os
import statistics
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pma_portal.settings")
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


def _median(func, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _holdings_table_html(data) -> str:
    from transitions.proposals.formatting import money, shares

    rows = "".join(
        f"<tr><td>{h.ticker}</td><td>{h.name}</td><td>{shares(h.shares)}</td>"
        f"<td>{money(h.market_value, cents=True)}</td><td>{money(h.cost_basis, cents=True)}</td>"
        f"<td>{money(h.unrealized_short, cents=True)}</td>"
        f"<td>{money(h.unrealized_long, cents=True)}</td></tr>"
        for h in data.holdings
    )
    return (
        "<html><head><style>@page{size:letter;margin:20mm 16mm} table{border-collapse:"
        "collapse;width:100%;font:7pt 'DejaVu Sans'} td{border-bottom:.4pt solid #ddd;"
        "padding:.5mm 1mm}</style></head><body><table>" + rows + "</table></body></html>"
    )


def bench_proposal_pdf() -> dict:
    _setup()
    from weasyprint import HTML

    from transitions.proposals.render import proposal_pdf_document, proposal_pdf_render
    from transitions.proposals.sample import proposal_data_sample

    data = proposal_data_sample(holdings=500)
    pdf, pages = proposal_pdf_document(data)  # warm-up
    full = _median(lambda: proposal_pdf_render(data))
    no_charts = _median(lambda: proposal_pdf_render(data, with_charts=False))
    table_html = _holdings_table_html(data)
    table = _median(lambda: HTML(string=table_html).write_pdf(), runs=1)
    detail = (
        f"{pages} pages, {len(pdf) / 1024:.0f} KB; 4 scenarios x 5 years, 4 SVG charts, "
        f"500 holdings, {len(data.first_year_trades)} trades; median of 3 on "
        f"{os.cpu_count()} cores (load {os.getloadavg()[0]:.1f})"
    )
    return {
        "proposal_pdf_s": {
            "value": round(full, 3),
            "unit": "s",
            "baseline": round(no_charts, 3),
            "ratio": round(full / no_charts, 3),
            "detail": detail + "; baseline: the same PDF without charts",
        },
        "proposal_holdings_table_pdf_s": {
            "value": round(table, 3),
            "unit": "s",
            "baseline": None,
            "ratio": None,
            "detail": "the 500-name appendix alone as a plain HTML table (one box per cell), "
            "for comparison with the ledger layout inside proposal_pdf_s",
        },
    }
