"""The demo seeds one finished analysis, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_demo_has_one_finished_analysis():
    from transitions.analysis.models import AnalysisStatus, TransitionAnalysis

    call_command("seed_demo", "--quick", stdout=io.StringIO())
    analyses = list(TransitionAnalysis.objects.all())
    assert len(analyses) == 1
    analysis = analyses[0]
    assert analysis.status == AnalysisStatus.DONE, analysis.error
    assert analysis.account.strategy.kind in ("direct_index", "core")
    names = [s["name"] for s in analysis.result["scenarios"]]
    assert names == ["immediate", "timeline:3", "gain_budget:0", "hold"]
    call_command("seed_demo", "--quick", stdout=io.StringIO())
    assert TransitionAnalysis.objects.count() == 1
