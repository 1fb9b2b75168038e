"""The analysis as CSV: one line per scenario and year, expected path first, then p10/p50/p90
over the simulated paths when they ran. Pure function of the stored result, written by the
product's one CSV writer (formula-like text cells neutralised, numbers left as numbers)."""

from __future__ import annotations

import io

from pma_engine.csv_safe import csv_safe_writer
from pma_engine.transition import scenario_parse
from pma_engine.transition.engine import BAND_FIGURES
from transitions.analysis.scenarios import scenario_label

# The per-year figures, as the engine gives them p10/p50/p90 bands.
YEAR_FIGURES = BAND_FIGURES


def analysis_csv(result: dict, *, account_name: str) -> str:
    has_paths = bool(result.get("paths"))
    header = ["account", "scenario", "scenario_label", "year", *YEAR_FIGURES]
    if has_paths:
        header += [f"{name}_{p}" for name in YEAR_FIGURES for p in ("p10", "p50", "p90")]
    header += ["years_to_target", "after_tax_value", "liquidation_value"]
    out = io.StringIO()
    writer = csv_safe_writer(out)
    writer.writerow(header)
    for item in result.get("scenarios", []):
        bands = item.get("paths")
        label = scenario_label(scenario_parse(item["name"]))
        for k, year in enumerate(item["years"]):
            line = [
                account_name,
                item["name"],
                label,
                year["year"],
                *[year[name] for name in YEAR_FIGURES],
            ]
            if has_paths:
                band_year = bands["years"][k] if bands else {}
                line += [
                    (band_year.get(name) or {}).get(p, "")
                    for name in YEAR_FIGURES
                    for p in ("p10", "p50", "p90")
                ]
            last = k == len(item["years"]) - 1
            line += [
                item["years_to_target"] if last and item["years_to_target"] is not None else "",
                item["after_tax_value"] if last else "",
                item["liquidation_value"] if last else "",
            ]
            writer.writerow(line)
    return out.getvalue()
