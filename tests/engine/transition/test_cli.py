"""python -m pma_engine.transition on a taxbench-problem/1 file: the JSON contract, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pma_engine.transition.__main__ import main

ROOT = Path(__file__).resolve().parents[3]


def problem_file(tmp_path: Path, **changes: Any) -> Path:
    """The hand case's account (test_hand_case.py) plus a fresh loss lot of C bought 10 days
    before as_of: its loss cannot be sold inside the wash window, so the target is out of
    reach by that lot's weight."""
    data: dict[str, Any] = {
        "format": "taxbench-problem/1",
        "as_of": "2026-06-01",
        "assets": {
            "tickers": ["A", "B", "C"],
            "prices": [100.0, 50.0, 20.0],
            "benchmark_weights": [0.4, 0.6, 0.0],
        },
        "risk_model": {
            "exposures": [[0.0], [0.0], [0.0]],
            "factor_covariance": [[0.04]],
            "specific_variance": [0.04, 0.04, 0.04],
        },
        "portfolio": {
            "cash": 1000.0,
            "lots": {
                "lot_id": ["A-st", "A-lt", "B-st", "C-lt", "C-new"],
                "asset": [0, 0, 1, 2, 2],
                "shares": [150.0, 250.0, 200.0, 250.0, 10.0],
                "basis_per_share": [90.0, 70.0, 40.0, 60.0, 21.0],
                "acquired": ["2025-09-15", "2018-05-01", "2025-12-01", "2022-02-01", "2026-05-22"],
                "days_held": [259, 2953, 182, 1581, 10],
                "term": ["ST", "LT", "ST", "LT", "ST"],
            },
        },
        "tax": {"short_term_rate": 0.408, "long_term_rate": 0.238, "gain_budget": 123.0},
        "constraints": {
            "te_max": 0.0001,
            "long_only": True,
            "cash_nonnegative": True,
            "max_turnover": None,
            "trading_cost_bps": 0.0,
        },
        "objective": {"risk_aversion": 1.0},
    }
    for dotted, value in changes.items():
        node = data
        *parents, leaf = dotted.split("__")
        for key in parents:
            node = node[key]
        if value is _DELETE:
            del node[leaf]
        else:
            node[leaf] = value
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(data))
    return path


_DELETE = object()


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pma_engine.transition", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


SCENARIOS = ("--scenario", "immediate", "--scenario", "timeline:2", "--scenario", "hold")


def test_command_prints_the_plan(tmp_path: Path) -> None:
    done = run(problem_file(tmp_path), "--years", "2", *SCENARIOS, "--drift", "0.1")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["format"] == "transition-plan/1" and out["paths"] is None
    assert out["seconds"] > 0
    names = [s["name"] for s in out["scenarios"]]
    assert names == ["immediate", "timeline:2", "hold"]
    immediate, timeline, hold = out["scenarios"]
    keys = {
        "realized_st",
        "realized_lt",
        "harvested_losses",
        "tax",
        "loss_carryforward",
        "tracking_error",
        "in_target",
        "unrealized_gain",
        "turnover",
        "trades",
    }
    for scenario in out["scenarios"]:
        assert set(scenario) >= {
            "name",
            "years_to_target",
            "after_tax_value",
            "liquidation_value",
            "first_year_trades",
            "years",
        }
        assert len(scenario["years"]) == 2 and keys <= set(scenario["years"][0])
    # the hand case's year 1, except that C was bought 10 days ago (C-new): every loss lot of C
    # is frozen by the 30-day wash window, so immediate keeps C this year and sells it in year 2
    sell = immediate["first_year_trades"]["sell"]
    assert sell["A-st"] == pytest.approx(150.0) and not {"C-lt", "C-new"} & set(sell)
    assert out["te_floor"] == pytest.approx(0.0, abs=1e-9) and out["te_floor_now"] > 0.01
    assert immediate["years"][1]["tracking_error"] <= 0.0005 + 1e-6
    assert set(immediate["first_year_trades"]["buy"]) == {"B"}
    assert immediate["years_to_target"] == 2
    assert timeline["years"][1]["tracking_error"] <= 0.005 + 1e-6
    assert hold["first_year_trades"] == {"buy": {}, "sell": {}}
    assert hold["years_to_target"] is None


def test_command_with_paths_is_reproducible(tmp_path: Path) -> None:
    path = problem_file(tmp_path)
    args = (path, "--years", "2", *SCENARIOS, "--paths", "6", "--seed", "7", "--workers", "2")
    first, again = run(*args), run(*args)
    assert first.returncode == 0, first.stderr
    one, two = json.loads(first.stdout), json.loads(again.stdout)
    one.pop("seconds"), two.pop("seconds")
    assert one == two
    assert one["paths"] == {"count": 6, "seed": 7}
    bands = one["scenarios"][2]["paths"]
    assert bands["count"] == 6 and len(bands["years"]) == 2
    band = bands["years"][1]["tracking_error"]
    assert set(band) == {"p10", "p50", "p90"} and band["p10"] <= band["p50"] <= band["p90"]
    assert set(bands["years_to_target"]) == {"p10", "p50", "p90"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--years", "11", "--scenario", "hold"), "--years 11"),
        (("--years", "0", "--scenario", "hold"), "--years 0"),
        (("--scenario", "gain_budget:-5"), "negative"),
        (("--scenario", "tax_budget:-1"), "negative"),
        (("--scenario", "sell_everything"), "unknown scenario"),
        (("--scenario", "timeline:1"), "timeline:1: --te-goal 0.005 cannot be reached"),
        (("--scenario", "hold", "--paths", "-2"), "--paths"),
        ((), "--scenario"),
    ],
)
def test_command_refuses_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str
) -> None:
    assert main([str(problem_file(tmp_path)), *args]) == 2  # in-process: the same entry point
    out, err = capsys.readouterr()
    assert words in err and out == ""


def test_command_refuses_malformed_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def refused(path: Path, words: str) -> None:
        assert main([str(path), "--scenario", "hold"]) == 2
        out, err = capsys.readouterr()
        assert words in err and out == ""

    bad_json = tmp_path / "broken.json"
    bad_json.write_text("{not json")
    refused(bad_json, "broken.json")
    refused(tmp_path / "absent.json", "absent.json")
    refused(problem_file(tmp_path, assets__prices=_DELETE), "prices")
    shares = [150.0, -1.0, 200.0, 250.0, 10.0]
    refused(problem_file(tmp_path, portfolio__lots__shares=shares), "shares")
    refused(problem_file(tmp_path, as_of="June 1st"), "as_of")
