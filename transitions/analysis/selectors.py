"""Reads of transition analyses: access, lists, staleness (computed, never written), and what
a page shows of a stored result. Nothing here solves."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.scoping import access_object, access_object_for_write
from accounts.sections import account_section
from pma_engine.transition import scenario_parse
from transitions.analysis.inputs import AnalysisInputError, account_snapshot
from transitions.analysis.models import AnalysisStatus, TransitionAnalysis
from transitions.analysis.scenarios import scenario_label

YEAR_COLUMNS = (
    ("realized_st", "Realized ST", "money"),
    ("realized_lt", "Realized LT", "money"),
    ("harvested_losses", "Harvested losses", "money"),
    ("tax", "Tax", "money"),
    ("loss_carryforward", "Loss carried forward", "money"),
    ("tracking_error", "Tracking error", "pct"),
    ("in_target", "In target", "pct"),
    ("unrealized_gain", "Unrealized gain", "money"),
    ("turnover", "Turnover", "pct"),
    ("trades", "Trades", "int"),
)

_BASE = TransitionAnalysis.objects.select_related(
    "account__client", "account__strategy", "job", "created_by"
)


def access_analysis(*, user, id) -> TransitionAnalysis:  # noqa: A002
    """One analysis the user may see (404 for missing and for someone else's)."""
    return access_object(_BASE, user=user, public_id=id)


def access_analysis_for_write(*, user, id) -> TransitionAnalysis:  # noqa: A002
    return access_object_for_write(_BASE, user=user, public_id=id)


def analyses_for_account(*, account) -> QuerySet[TransitionAnalysis]:
    """The account's analyses, newest first, with their scenario rows (result deferred)."""
    return (
        TransitionAnalysis.objects.filter(account=account)
        .select_related("created_by", "job")
        .prefetch_related("scenarios")
        .defer("result")
    )


def account_inputs_digest(*, account) -> tuple[str | None, str]:
    """(digest of the account's current inputs, problem) — reads only."""
    try:
        return account_snapshot(account=account).digest, ""
    except AnalysisInputError as error:
        return None, error.message


def analysis_stale_reason(
    *, analysis: TransitionAnalysis, current: tuple[str | None, str] | None = None
) -> str:
    """Why the stored result no longer matches the account ("" when it does). Compares
    digests on read; a GET never marks anything."""
    if analysis.status == AnalysisStatus.STALE:
        return analysis.stale_reason or "The account's inputs changed since this analysis ran."
    if analysis.status != AnalysisStatus.DONE:
        return ""
    digest, problem = (
        current if current is not None else account_inputs_digest(account=analysis.account)
    )
    if digest is None:
        return f"The account can no longer be analysed as it stands: {problem}"
    if digest != analysis.inputs_digest:
        return (
            "The account's inputs (lots, prices, target, risk model or tax rates) changed since "
            "this analysis ran: re-run it for current figures."
        )
    return ""


@dataclass
class ScenarioView:
    position: int
    name: str
    label: str
    row: object
    data: dict
    bands: dict | None
    years: list[dict] = field(default_factory=list)


def analysis_scenarios(*, analysis: TransitionAnalysis) -> list[ScenarioView]:
    """The stored scenarios with their labels and per-year figures (and bands with paths)."""
    rows = {s.position: s for s in analysis.scenarios.all()}
    result = analysis.result or {}
    out = []
    for position, item in enumerate(result.get("scenarios", [])):
        bands = item.get("paths")
        years = []
        for k, year in enumerate(item["years"]):
            band_year = bands["years"][k] if bands else None
            years.append(
                {
                    "year": year["year"],
                    "cells": [
                        {
                            "key": key,
                            "kind": kind,
                            "value": year[key],
                            "band": band_year.get(key) if band_year else None,
                        }
                        for key, _, kind in YEAR_COLUMNS
                    ],
                }
            )
        row = rows.get(position)
        out.append(
            ScenarioView(
                position=position,
                name=item["name"],
                label=scenario_label(scenario_parse(item["name"])),
                row=row,
                data=item,
                bands=bands,
                years=years,
            )
        )
    return out


def year_series(
    scenarios: list[ScenarioView], *, key: str
) -> list[tuple[str, list[float], list[float] | None, list[float] | None]]:
    """Per scenario: label, expected values per year, p10 and p90 per year (when paths ran)."""
    out = []
    for s in scenarios:
        values = [float(y[key]) for y in s.data["years"]]
        lows = highs = None
        if s.bands:
            lows = [float(y[key]["p10"]) for y in s.bands["years"]]
            highs = [float(y[key]["p90"]) for y in s.bands["years"]]
        out.append((s.label, values, lows, highs))
    return out


@account_section
def analysis_account_section(*, account, user) -> dict:
    """The account page's analysis section: the latest analysis, its result deferred."""
    latest = (
        TransitionAnalysis.objects.filter(account=account)
        .defer("result")
        .order_by("-created_at", "-pk")
        .first()
    )
    return {"latest_analysis": latest}
