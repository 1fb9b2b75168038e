"""Pages, CSV export and the API of analyses (on a stored result; one real run for the API)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

import tests.routes  # noqa: F401  (loads the route tables first)
from jobs.models import Job
from pma_engine.csv_safe import cell_safe
from tests.routes_analysis import TINY_RESULT, analysis_make
from transitions.analysis.export import analysis_csv
from transitions.analysis.models import TransitionAnalysis


def test_csv_neutralizes_formula_cells():
    # The shared rule: a formula-like text cell is neutralised, a number stays a number (so a
    # column of losses still sums in a spreadsheet).
    for text in ("=SUM(A1)", "=1+2", "+1 (note)", "-2 x", "@x", "\tx", "\rx"):
        assert cell_safe(text) == "'" + text
    for number in ("+1", "-2", "-0.5"):
        assert cell_safe(number) == number
    assert cell_safe("Brokerage") == "Brokerage"
    body = analysis_csv(TINY_RESULT, account_name="=HYPERLINK(evil)")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["account", "scenario", "scenario_label", "year"]
    assert rows[1][0] == "'=HYPERLINK(evil)"
    assert rows[1][1:4] == ["hold", "Hold (reference)", "1"]
    header = rows[0]
    assert rows[1][header.index("tracking_error")] == "0.02"
    assert rows[1][header.index("liquidation_value")] == "990.0"


def test_csv_has_percentiles_when_paths_ran():
    result = {**TINY_RESULT, "paths": {"count": 3, "seed": 1}}
    band = {"p10": 1.0, "p50": 2.0, "p90": 3.0}
    scenario = {**TINY_RESULT["scenarios"][0]}
    scenario["paths"] = {
        "years": [{"year": 1, **{k: band for k in TINY_RESULT["scenarios"][0]["years"][0]}}]
    }
    result["scenarios"] = [scenario]
    rows = list(csv.reader(io.StringIO(analysis_csv(result, account_name="A"))))
    header = rows[0]
    assert [rows[1][header.index(f"tax_{p}")] for p in ("p10", "p50", "p90")] == [
        "1.0",
        "2.0",
        "3.0",
    ]


def test_detail_page_shows_the_side_by_side_table_and_charts(client, cast):
    analysis = analysis_make(cast.a.account)
    client.force_login(cast.a.advisor)
    page = client.get(reverse("analysis-detail", kwargs={"public_id": analysis.public_id}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "data-side-by-side" in body and "Hold (reference)" in body
    assert body.count("<svg") >= 2 and 'data-chart="tax"' in body
    assert "$1,000" in body  # after-tax value
    assert "stale" in body  # the tiny analysis' digest is not the account's


def test_export_download(client, cast):
    analysis = analysis_make(cast.a.account)
    client.force_login(cast.a.advisor)
    response = client.get(reverse("analysis-export", kwargs={"public_id": analysis.public_id}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert b"hold" in response.content


def test_start_page_says_why_budgets_are_not_offered(client, analysis_world):
    account = analysis_world.account
    account.strategy = analysis_world.reference.strategies["active-quality-core"]
    account.save(update_fields=["strategy"])
    client.force_login(analysis_world.cast.a.advisor)
    page = client.get(reverse("analysis-start", kwargs={"public_id": account.public_id}))
    body = page.content.decode()
    assert "not offered" in body and "direct-indexing and core" in body
    assert 'value="gain_budget:0"' not in body and 'value="timeline:3"' in body


def test_start_page_refuses_bad_input_with_the_field(client, analysis_world):
    client.force_login(analysis_world.cast.a.advisor)
    url = reverse("analysis-start", kwargs={"public_id": analysis_world.account.public_id})
    data = {"scenarios": ["hold"], "years": "12", "te_goal_pct": "0.5", "drift_pct": "6"}
    response = client.post(url, {**data, "paths": "0", "seed": "1"})
    assert response.status_code == 200
    assert "1 to 10 years" in response.content.decode()
    assert Job.objects.count() == 0 and TransitionAnalysis.objects.count() == 0


def test_api_start_read_export(client, analysis_world, django_capture_on_commit_callbacks):
    from esg.services import customized_target_refresh

    client.force_login(analysis_world.cast.a.advisor)
    account = analysis_world.account
    assert customized_target_refresh(account=account).target is not None  # rebalancing needs it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api-transition-analysis-list"),
            {
                "account": str(account.public_id),
                "scenarios": ["immediate", "hold"],
                "years": 2,
                "paths": 3,
                "seed": 5,
            },
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    public_id = response.json()["id"]
    detail = client.get(reverse("api-transition-analysis-detail", kwargs={"public_id": public_id}))
    data = detail.json()
    assert data["status"] == "done" and data["stale_reason"] == ""
    assert [s["name"] for s in data["scenarios"]] == ["immediate", "hold"]
    assert data["result"]["paths"] == {"count": 3, "seed": 5}
    assert "p90" in data["result"]["scenarios"][0]["paths"]["years"][0]["tax"]
    # "Value today" reconciles with the account page: each lot's shares x latest close to
    # the cent, plus the 5,000.00 of cash, summed by hand here.
    from portfolios.models import TaxLot
    from portfolios.selectors import latest_prices

    lots = list(TaxLot.objects.filter(account=account))
    closes = latest_prices(security_ids={lot.security_id for lot in lots})
    by_hand = sum(
        ((lot.shares * closes[lot.security_id].close).quantize(Decimal("0.01")) for lot in lots),
        Decimal("5000.00"),
    )
    assert Decimal(data["result"]["initial_value"]) == by_hand
    page = client.get(reverse("analysis-detail", kwargs={"public_id": public_id})).content.decode()
    account_page = client.get(
        reverse("account-detail", kwargs={"public_id": account.public_id})
    ).content.decode()
    assert f'data-value="{by_hand}"' in page
    assert f'data-key="account-total" data-value="{by_hand}"' in account_page
    listing = client.get(reverse("api-transition-analysis-list"), {"account": account.public_id})
    assert [row["id"] for row in listing.json()["results"]] == [public_id]
    assert "result" not in listing.json()["results"][0]
    export = client.get(reverse("api-transition-analysis-export", kwargs={"public_id": public_id}))
    assert export.status_code == 200 and b"immediate" in export.content
    hand_off = client.post(
        reverse("api-transition-analysis-trade-list", kwargs={"public_id": public_id}),
        {"scenario": "immediate"},
        content_type="application/json",
    )
    assert hand_off.status_code == 201, hand_off.content
    from transitions.rebalance.models import TradeList

    trade_list = TradeList.objects.get(public_id=hand_off.json()["trade_list"])
    stored = data["result"]["scenarios"][0]
    lines = list(trade_list.lines.all())
    sells = {line.lot_public_id: line.shares for line in lines if line.side == "SELL"}
    assert set(sells) == set(stored["first_year_trades"]["sell"])
    assert trade_list.status == "proposed" and trade_list.account == account
    assert trade_list.trade_count == len(lines) > 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"years": 0}, "years"),
        ({"scenarios": ["gain_budget:-1"]}, "scenarios"),
        ({"te_goal": -0.1}, "te_goal"),
    ],
)
def test_api_refuses_bad_input(client, analysis_world, payload, field):
    client.force_login(analysis_world.cast.a.advisor)
    body = {"account": str(analysis_world.account.public_id), "scenarios": ["hold"], **payload}
    response = client.post(
        reverse("api-transition-analysis-list"), body, content_type="application/json"
    )
    assert response.status_code == 400 and field in response.json(), response.content
    assert Job.objects.count() == 0


def test_api_other_firms_account_is_not_found(client, analysis_world):
    client.force_login(analysis_world.cast.b.advisor)
    body = {"account": str(analysis_world.account.public_id), "scenarios": ["hold"]}
    response = client.post(
        reverse("api-transition-analysis-list"), body, content_type="application/json"
    )
    assert response.status_code == 400 and "account" in response.json()
    assert Job.objects.count() == 0


def test_schema_has_the_analysis_routes(client, cast):
    client.force_login(cast.a.advisor)
    schema = client.get(reverse("api-schema")).content.decode()
    assert "/api/transition-analyses/{public_id}/export/" in schema
    assert "/api/transition-analyses/{public_id}/trade-list/" in schema
