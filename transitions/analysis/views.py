"""Pages of transition analyses: thin; they parse, check access, call one service or selector.

GETs read stored results only (charts are drawn from the stored numbers); staleness is
computed on read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import access_account, access_account_for_write
from accounts.tenancy import firm_view
from transitions.analysis import charts, selectors, services
from transitions.analysis.export import analysis_csv
from transitions.analysis.forms import AnalysisStartForm
from transitions.analysis.handoff import scenario_trade_list_create
from transitions.analysis.models import AnalysisStatus
from transitions.analysis.scenarios import kinds_offered

FORM_FIELDS = {"te_goal": "te_goal_pct", "drift": "drift_pct"}


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            name = FORM_FIELDS.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@firm_view
@require_http_methods(["GET", "POST"])
def analysis_start(request, public_id):
    if request.method == "POST":
        account = access_account_for_write(user=request.user, id=public_id)
    else:
        account = access_account(user=request.user, id=public_id)
    kind = account.strategy.kind if account.strategy_id else None
    form = AnalysisStartForm(request.POST or None, strategy_kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            analysis = services.transition_analysis_start(
                account=account, actor=request.user, **form.start_arguments()
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, "Transition analysis started.")
            return redirect("analysis-detail", public_id=analysis.public_id)
    return render(
        request,
        "transitions/analysis/start.html",
        {"account": account, "form": form, "offers": kinds_offered(kind)},
    )


@firm_view
def analysis_list(request, public_id):
    account = access_account(user=request.user, id=public_id)
    analyses = list(selectors.analyses_for_account(account=account))
    current = selectors.account_inputs_digest(account=account) if analyses else (None, "")
    rows = [
        {"analysis": a, "stale": selectors.analysis_stale_reason(analysis=a, current=current)}
        for a in analyses
    ]
    return render(request, "transitions/analysis/list.html", {"account": account, "rows": rows})


def _charts(scenarios, *, years: int, frontier: dict | None) -> dict:
    out = {}
    for key, title, fmt in (
        ("tax", "Tax per year", charts.money_short),
        ("tracking_error", "Tracking error per year", charts.pct),
    ):
        series = [
            charts.Series(label, values, lows, highs)
            for label, values, lows, highs in selectors.year_series(scenarios, key=key)
        ]
        out[key] = charts.years_chart_svg(series, years=years, label=title, fmt=fmt)
    if frontier and (frontier.get("points") or frontier.get("named")):
        out["frontier_te"] = charts.frontier_svg(
            frontier["points"],
            frontier["named"],
            y_key="mean_te",
            y_label="Average tracking error",
            fmt=charts.pct,
            label="Frontier: total tax against tracking error",
        )
        out["frontier_years"] = charts.frontier_svg(
            frontier["points"],
            frontier["named"],
            y_key="years_to_target",
            y_label="Years to target",
            fmt=lambda v: f"{v:g} y",
            label="Frontier: total tax against years to target",
        )
    return out


@firm_view
def analysis_detail(request, public_id):
    analysis = selectors.access_analysis(user=request.user, id=public_id)
    scenarios = selectors.analysis_scenarios(analysis=analysis)
    result = analysis.result or {}
    context = {
        "analysis": analysis,
        "account": analysis.account,
        "scenarios": scenarios,
        "result": result,
        "stale": selectors.analysis_stale_reason(analysis=analysis),
        "columns": selectors.YEAR_COLUMNS,
        "charts": _charts(scenarios, years=analysis.years, frontier=result.get("frontier"))
        if result
        else {},
        "others": selectors.analyses_for_account(account=analysis.account)
        .exclude(pk=analysis.pk)
        .filter(status__in=[AnalysisStatus.DONE, AnalysisStatus.STALE])[:10],
    }
    return render(request, "transitions/analysis/detail.html", context)


@firm_view
def analysis_status(request, public_id):
    """The progress bar's poll (the same shape as the job status)."""
    analysis = selectors.access_analysis(user=request.user, id=public_id)
    job = analysis.job
    status = analysis.status if analysis.status != AnalysisStatus.STALE else "done"
    return JsonResponse(
        {
            "id": str(analysis.public_id),
            "status": status,
            "progress": 100 if analysis.is_finished else (job.progress if job else 0),
            "message": (job.message if job else "") or analysis.get_status_display(),
            "paths_done": analysis.paths_done,
            "paths": analysis.paths,
            "error": analysis.error if analysis.status == AnalysisStatus.FAILED else "",
            "result_url": reverse("analysis-detail", kwargs={"public_id": analysis.public_id})
            if analysis.status == AnalysisStatus.DONE
            else "",
        }
    )


@firm_view
def analysis_export(request, public_id):
    analysis = selectors.access_analysis(user=request.user, id=public_id)
    if not analysis.result:
        messages.error(request, "This analysis has no result to export yet.")
        return redirect("analysis-detail", public_id=analysis.public_id)
    body = analysis_csv(analysis.result, account_name=analysis.account.name)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"transition-analysis-{analysis.created_at:%Y%m%d}-{str(analysis.public_id)[:8]}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@firm_view
def analysis_compare(request, public_id):
    analysis = selectors.access_analysis(user=request.user, id=public_id)
    other = None
    other_id = request.GET.get("with")
    if other_id:
        other = selectors.access_analysis(user=request.user, id=other_id)
    sides = []
    for item in (analysis, other):
        if item is None:
            continue
        sides.append(
            {
                "analysis": item,
                "scenarios": selectors.analysis_scenarios(analysis=item),
                "stale": selectors.analysis_stale_reason(analysis=item),
            }
        )
    choices = selectors.analyses_for_account(account=analysis.account).exclude(pk=analysis.pk)
    return render(
        request,
        "transitions/analysis/compare.html",
        {"analysis": analysis, "sides": sides, "choices": choices, "account": analysis.account},
    )


@firm_view
@require_POST
def analysis_rerun(request, public_id):
    analysis = selectors.access_analysis_for_write(user=request.user, id=public_id)
    try:
        new = services.transition_analysis_rerun(analysis=analysis, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("analysis-detail", public_id=analysis.public_id)
    messages.success(request, "Re-running the analysis on the account's current inputs.")
    return redirect("analysis-detail", public_id=new.public_id)


@firm_view
@require_POST
def analysis_frontier_save(request, public_id):
    analysis = selectors.access_analysis_for_write(user=request.user, id=public_id)
    try:
        new = services.frontier_point_save(
            analysis=analysis, actor=request.user, scenario=request.POST.get("scenario", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("analysis-detail", public_id=analysis.public_id)
    messages.success(request, "Frontier point saved as a scenario; the analysis runs again.")
    return redirect("analysis-detail", public_id=new.public_id)


@firm_view
@require_POST
def analysis_trade_list(request, public_id):
    analysis = selectors.access_analysis_for_write(user=request.user, id=public_id)
    scenario = analysis.scenarios.filter(public_id=request.POST.get("scenario") or None).first()
    try:
        if scenario is None:
            raise ValidationError("Choose one of this analysis' scenarios.")
        trade_list = scenario_trade_list_create(
            analysis=analysis, scenario=scenario, actor=request.user
        )
    except (ValidationError, ValueError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
        return redirect("analysis-detail", public_id=analysis.public_id)
    messages.success(request, "The first year's trades are a trade list now.")
    return redirect("rebalance-trade-list", public_id=trade_list.public_id)
