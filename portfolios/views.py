"""Pages for advisors and firm admins: strategies and the security master. Thin: parse, read
through selectors, render."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts.tenancy import firm_view
from pma_engine.securities import DATA_CREDIT, SUPPORTED_INDICES
from portfolios import selectors
from portfolios.charts import price_line_svg, sector_bars_svg
from portfolios.models import GICS_SECTORS, PriceSource, Strategy, StrategyVersion

SECURITIES_PER_PAGE = 50


@firm_view
@require_safe
def strategy_list(request):
    return render(
        request,
        "portfolios/strategy_list.html",
        {"rows": selectors.strategy_rows(), "risk_model": selectors.risk_model_latest()},
    )


@firm_view
@require_safe
def strategy_detail(request, slug):
    strategy = get_object_or_404(Strategy.objects.select_related("benchmark"), slug=slug)
    version = None
    raw_version = request.GET.get("version", "")
    if raw_version:
        if not raw_version.isdigit():
            raise Http404("No such version.")
        version = get_object_or_404(StrategyVersion, strategy=strategy, version=int(raw_version))
    detail = selectors.strategy_detail(strategy=strategy, version=version)
    current = selectors.strategy_version_current(strategy=strategy)
    chart = sector_bars_svg([(b.sector, b.weight, b.benchmark_weight) for b in detail.sectors])
    return render(
        request,
        "portfolios/strategy_detail.html",
        {"detail": detail, "strategy": strategy, "current": current, "sector_chart": chart},
    )


@firm_view
@require_safe
def security_list(request):
    query = request.GET.get("q", "").strip()[:100]
    sector = request.GET.get("sector", "")
    index = request.GET.get("index", "")
    sector = sector if sector in GICS_SECTORS else ""
    index = index if index in SUPPORTED_INDICES else ""
    rows = selectors.security_search(user=request.user, query=query, sector=sector, index=index)
    page = Paginator(rows, SECURITIES_PER_PAGE).get_page(request.GET.get("page"))
    closes = selectors.latest_prices(security_ids=[s.pk for s in page.object_list])
    for security in page.object_list:
        security.latest = closes.get(security.pk)
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "portfolios/security_list.html",
        {
            "page": page,
            "query": query,
            "sector": sector,
            "index": index,
            "sectors": GICS_SECTORS,
            "indices": SUPPORTED_INDICES,
            "filter_query": filters.urlencode(),
            "synthetic": PriceSource.SYNTHETIC,
            "data_credit": DATA_CREDIT,
        },
    )


@firm_view
@require_safe
def security_detail(request, ticker):
    security = selectors.security_access(user=request.user, ticker=ticker)
    summary = selectors.price_summary(security=security)
    history, chart, one_year = [], "", None
    if summary is not None:
        history = selectors.price_history(
            security=security, start=summary.on - timedelta(days=365), end=summary.on
        )
        chart = price_line_svg([(on, float(close)) for on, close, _ in history])
        if len(history) > 1:
            one_year = history[-1][1] / history[0][1] - 1  # a fraction: the page uses |percent
    return render(
        request,
        "portfolios/security_detail.html",
        {
            "security": security,
            "summary": summary,
            "chart": chart,
            "one_year": one_year,
            "history_is_synthetic": any(s == PriceSource.SYNTHETIC for _, _, s in history),
            "strategies": selectors.security_strategies(security=security),
            "data_credit": DATA_CREDIT,
        },
    )
