"""The solver command's contract: output keys, exit codes, bad files naming the field."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pma_engine.rebalance.__main__ import main

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "examples" / "rebalance-problem.json"
KEYS = {
    "status",
    "seconds",
    "solve_seconds",
    "buy",
    "sell",
    "tracking_error",
    "realized",
    "objective",
}


def _run(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pma_engine.rebalance", str(path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_example_file_answer_has_the_contract_keys() -> None:
    done = _run(EXAMPLE)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert set(answer) >= KEYS
    assert answer["status"] == "optimal"
    assert set(answer["realized"]) == {"st", "lt"}
    problem = json.loads(EXAMPLE.read_text())
    tickers = problem["assets"]["tickers"]
    lots = problem["portfolio"]["lots"]
    assert set(answer["buy"]) <= set(tickers)
    assert set(answer["sell"]) <= set(lots["lot_id"])
    for lot_id, shares in answer["sell"].items():
        assert 0 < shares <= lots["shares"][lots["lot_id"].index(lot_id)] + 1e-9
    # the gain budget of the file holds: ST + LT net <= 1000
    assert answer["realized"]["st"] + answer["realized"]["lt"] <= 1000 + 1e-6
    assert 0 < answer["solve_seconds"] <= answer["seconds"]
    # the wash rule of the file is reported, not forbidden
    assert isinstance(answer["wash_sales"], list)
    for flag in answer["wash_sales"]:
        assert flag["group"] in answer["buy"]


def test_whole_shares_flag_rounds() -> None:
    done = _run(EXAMPLE, "--whole-shares")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert all(float(s).is_integer() for s in answer["buy"].values())


def _broken(tmp_path: Path, change) -> Path:
    data = copy.deepcopy(json.loads(EXAMPLE.read_text()))
    change(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["tax"].pop("gain_budget"), "tax.gain_budget"),
        (lambda d: d.pop("risk_model"), "risk_model"),
        (lambda d: d["assets"]["prices"].pop(), "assets.prices"),
        (lambda d: d["portfolio"]["lots"]["shares"].__setitem__(3, -5), "portfolio.lots.shares[3]"),
        (lambda d: d["assets"]["prices"].__setitem__(1, float("nan")), "assets.prices[1]"),
        (lambda d: d.__setitem__("format", "taxbench-problem/9"), "format"),
        (lambda d: d["portfolio"]["lots"]["asset"].__setitem__(0, 99), "portfolio.lots.asset[0]"),
        (lambda d: d["portfolio"]["lots"]["term"].__setitem__(0, "ST"), "portfolio.lots.term[0]"),
        (lambda d: d["risk_model"]["exposures"][2].pop(), "risk_model.exposures[2]"),
    ],
    ids=[
        "missing",
        "missing-section",
        "length",
        "negative",
        "nan",
        "format",
        "asset",
        "term",
        "ragged",
    ],
)
def test_bad_file_exits_nonzero_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change, field: str
) -> None:
    # in-process (the same main() the command runs): a subprocess per case costs seconds
    assert main([str(_broken(tmp_path, change))]) == 2
    out, err = capsys.readouterr()
    assert field in err
    assert out == ""


def test_bad_file_through_the_command(tmp_path: Path) -> None:
    done = _run(_broken(tmp_path, lambda d: d["portfolio"]["lots"]["shares"].__setitem__(2, -1)))
    assert done.returncode == 2
    assert "portfolio.lots.shares[2]" in done.stderr
    assert done.stdout == ""


def test_not_json_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.json"
    path.write_text("{not json")
    assert main([str(path)]) == 2
    assert main([str(tmp_path / "absent.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def _too_tight(data: dict) -> None:
    data["constraints"]["te_max"] = 1e-4
    data["constraints"]["max_turnover"] = 0.0


def test_infeasible_file_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_broken(tmp_path, _too_tight))]) == 3
    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "infeasible"
    assert "tracking-error ceiling" in answer["conflict"]
