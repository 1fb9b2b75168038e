"""A finished transition analysis (a real run of the planner on the small reference data) for
the proposal tests, and private storage in a temporary directory."""

from __future__ import annotations

import pytest

from tests.transitions.analysis.conftest import analysis_world  # noqa: F401  (fixture)

SCENARIOS = ["immediate", "timeline:2", "gain_budget:0", "hold"]


def analysis_run(*, account, actor, paths: int = 4, years: int = 3):
    from django.db import transaction

    from transitions.analysis.services import transition_analysis_start

    with transaction.atomic():
        analysis = transition_analysis_start(
            account=account, actor=actor, scenarios=SCENARIOS, years=years, paths=paths, seed=11
        )
    analysis.refresh_from_db()
    return analysis


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


@pytest.fixture
def real_analysis(analysis_world, django_capture_on_commit_callbacks):  # noqa: F811
    """A real run of the planner (about 10 s): the PDF's numbers are checked against it."""
    with django_capture_on_commit_callbacks(execute=True):
        analysis = analysis_run(account=analysis_world.account, actor=analysis_world.cast.a.advisor)
    analysis.refresh_from_db()
    assert analysis.status == "done", analysis.error
    _RESULTS.setdefault("result", analysis.result)
    return analysis


_RESULTS: dict = {}


@pytest.fixture
def finished_analysis(request, analysis_world):  # noqa: F811
    """A finished, current analysis: the first real run's stored result (per test process),
    recorded against this test's account with its current inputs digest, so the flows do not
    each run the planner. (Lot ids differ, so its sales are not itemized in these PDFs.)"""
    from transitions.analysis.inputs import account_snapshot
    from transitions.analysis.models import AnalysisScenario, TransitionAnalysis

    if "result" not in _RESULTS:
        return request.getfixturevalue("real_analysis")
    account = analysis_world.account
    snapshot = account_snapshot(account=account)
    result = _RESULTS["result"]
    analysis = TransitionAnalysis.objects.create(
        firm=account.firm,
        account=account,
        created_by=analysis_world.cast.a.advisor,
        status="done",
        inputs_digest=snapshot.digest,
        as_of=snapshot.as_of,
        years=result["years"],
        te_goal=result["te_goal"],
        drift=result["drift"],
        paths=result["paths"]["count"],
        seed=result["paths"]["seed"],
        scenario_names=[s["name"] for s in result["scenarios"]],
        result=result,
    )
    for position, item in enumerate(result["scenarios"]):
        AnalysisScenario.objects.create(
            firm=account.firm,
            analysis=analysis,
            position=position,
            name=item["name"],
            kind=item["name"].split(":")[0],
        )
    return analysis


def pdf_text(pdf: bytes, *, first: int | None = None, last: int | None = None) -> str:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        args = ["pdftotext", "-layout"]
        if first:
            args += ["-f", str(first)]
        if last:
            args += ["-l", str(last)]
        return subprocess.run(
            [*args, handle.name, "-"], check=True, capture_output=True, text=True
        ).stdout


def generate(analysis, *, actor, recommended="timeline:2", shown=None, note="", proposal=None):
    """Generate and run the render job (eager Celery, on commit)."""
    from transitions.proposals.services import proposal_generate

    return proposal_generate(
        analysis=analysis,
        actor=actor,
        recommended=recommended,
        shown=shown if shown is not None else SCENARIOS[:3],
        note=note,
        proposal=proposal,
    )
