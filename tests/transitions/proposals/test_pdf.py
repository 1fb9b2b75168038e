"""The PDF of a proposal made from a real stored analysis: its numbers are the stored ones,
page one is one page with its chart, versions and storage."""

from __future__ import annotations

import re
import subprocess
import tempfile

import pytest

from tests.transitions.proposals.conftest import generate, pdf_text
from transitions.proposals.models import Proposal, ProposalVersion

pytestmark = pytest.mark.django_db


def _dollars(value: float) -> str:
    """Independent of the app's formatter: half-up cents, thousands commas, minus sign."""
    from decimal import ROUND_HALF_UP, Decimal

    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return ("−" if amount < 0 else "") + f"${abs(amount):,.2f}"


def _pct(value: float) -> str:
    return f"{100 * value:.2f}%"


@pytest.fixture
def made(real_analysis, django_capture_on_commit_callbacks):
    finished_analysis = real_analysis
    advisor = finished_analysis.account.client.advisor
    with django_capture_on_commit_callbacks(execute=True):
        proposal, job = generate(finished_analysis, actor=advisor, note="Three years, as we said.")
    proposal.refresh_from_db()
    job.refresh_from_db()
    assert job.status == "done", job.error
    version = proposal.current_version
    pdf = version.file.open("rb").read()
    return proposal, version, pdf


def test_numbers_are_the_stored_analysis_numbers(made, real_analysis):
    finished_analysis = real_analysis
    proposal, version, pdf = made
    text = pdf_text(pdf)
    stored = {s["name"]: s for s in finished_analysis.result["scenarios"]}
    for name in proposal.shown_scenarios:
        scenario = stored[name]
        for year in scenario["years"]:
            for key in ("tax", "realized_st", "realized_lt", "unrealized_gain"):
                assert _dollars(year[key]) in text, (name, year["year"], key, year[key])
            assert _pct(year["tracking_error"]) in text, (name, year["year"])
        assert _dollars(scenario["after_tax_value"]) in text, name
        assert _dollars(scenario["liquidation_value"]) in text, name
        assert _dollars(sum(y["tax"] for y in scenario["years"])) in text, name
    # The assumptions: the simulation, its seed, the rates.
    paths = finished_analysis.result["paths"]
    flat = " ".join(text.split())
    assert f"{paths['count']} simulated paths" in flat
    assert f"seed {paths['seed']}" in flat
    assert "short-term 40.8%" in flat and "long-term 23.8%" in flat
    # Every holding of the account is in the appendix, with its shares.
    for lot in finished_analysis.account.tax_lots.select_related("security"):
        assert lot.security.ticker in text


def test_page_one_is_the_summary_with_its_chart(made, real_analysis):
    finished_analysis = real_analysis
    proposal, version, pdf = made
    first = " ".join(pdf_text(pdf, first=1, last=1).split())
    recommended = next(
        s for s in finished_analysis.result["scenarios"] if s["name"] == "timeline:2"
    )
    assert finished_analysis.account.client.name in first
    assert "We recommend: Timeline, 2 years" in first
    whole = round(recommended["years"][0]["tax"])
    assert f"${whole:,}" in first  # the first-year tax, to the dollar
    assert "After tax" in first
    assert "Three years, as we said." in first
    assert "1. Your account today" not in first  # the detail starts on page two
    assert "1. Your account today" in " ".join(pdf_text(pdf, first=2, last=2).split())
    # Every page carries the version, the date and its number.
    pages = version.pages
    assert pages >= 4
    for page in (1, pages):
        page_text = " ".join(pdf_text(pdf, first=page, last=page).split())
        assert f"version {version.number}" in page_text
        assert f"Page {page} of {pages}" in page_text
    # Page one as an image: the chart's box (below the figures) holds ink.
    with tempfile.TemporaryDirectory() as folder:
        with open(f"{folder}/p.pdf", "wb") as handle:
            handle.write(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-f",
                "1",
                "-l",
                "1",
                "-r",
                "50",
                "-png",
                f"{folder}/p.pdf",
                f"{folder}/p",
            ],
            check=True,
        )
        from pathlib import Path

        from PIL import Image

        images = sorted(Path(folder).glob("p*.png"))
        assert len(images) == 1
        image = Image.open(images[0]).convert("L")
        width, height = image.size
        # The chart sits in the middle band of the page (between the cards and the table).
        band = image.crop(
            (int(width * 0.08), int(height * 0.38), int(width * 0.92), int(height * 0.62))
        )
        dark = sum(1 for p in band.tobytes() if p < 200)  # mode L: one byte a pixel
        assert dark > 0.03 * band.size[0] * band.size[1], dark


def test_page_one_html_has_one_vector_chart(finished_analysis):
    from datetime import date

    from transitions.proposals.inputs import proposal_data_build
    from transitions.proposals.render import proposal_html

    data = proposal_data_build(
        analysis=finished_analysis,
        recommended="timeline:2",
        shown=["immediate", "timeline:2"],
        note="",
        version=1,
        prepared_on=date(2026, 1, 5),
    )
    html = proposal_html(data)
    summary = html[html.index('data-page="summary"') : html.index('data-page="holdings"')]
    assert summary.count("<svg") == 1
    assert 'aria-label="Tax per year and tracking error of the recommended scenario"' in summary


def test_regenerating_makes_a_new_version_and_keeps_the_old(
    made, real_analysis, django_capture_on_commit_callbacks
):
    finished_analysis = real_analysis
    proposal, first, first_pdf = made
    with django_capture_on_commit_callbacks(execute=True):
        generate(
            finished_analysis,
            actor=proposal.created_by,
            recommended="gain_budget:0",
            shown=["immediate", "gain_budget:0"],
            proposal=proposal,
        )
    proposal.refresh_from_db()
    assert proposal.current_version.number == 2
    assert ProposalVersion.objects.filter(proposal=proposal).count() == 2
    changes = " ".join(proposal.current_version.changes)
    assert "Timeline, 2 years to Zero net gain" in changes
    assert "Scenarios removed: Timeline, 2 years" in changes
    first.refresh_from_db()
    assert first.file.open("rb").read() == first_pdf  # the old one stays as it was
    assert "version 2" in pdf_text(proposal.current_version.file.open("rb").read(), last=1)


def test_files_are_private_and_unguessable(made):
    proposal, version, _ = made
    name = version.file.name
    assert re.fullmatch(r"proposals/[0-9a-f]{2}/[0-9a-f]{32}\.pdf", name), name
    for leak in (str(proposal.public_id), str(version.public_id), proposal.client.name):
        assert leak not in name
    with pytest.raises(ValueError):
        version.file.url  # noqa: B018  no URL: only the access-checked view serves it
    from django.conf import settings

    assert str(settings.PRIVATE_MEDIA_ROOT) in version.file.path
    assert not version.file.path.startswith(str(settings.STATIC_ROOT or "/nonexistent"))


def test_render_task_delivered_twice_makes_one_version(
    finished_analysis, django_capture_on_commit_callbacks
):
    from jobs.models import Job
    from jobs.tasks import job_execute
    from transitions.proposals.services import proposal_render_run

    advisor = finished_analysis.account.client.advisor
    proposal, job = generate(finished_analysis, actor=advisor)  # not run: callbacks dropped
    assert job.status == "queued"
    job_execute.apply(args=[str(job.public_id)])
    job_execute.apply(args=[str(job.public_id)])  # the broker delivered it again
    assert ProposalVersion.objects.filter(proposal=proposal).count() == 1
    # A redelivery that claims the job again (its worker died after storing): the request
    # token finds the version already made.
    Job.objects.filter(pk=job.pk).update(status="running")
    job.refresh_from_db()
    outcome = proposal_render_run(job=job, progress=lambda *_: None)
    assert outcome["version"] == 1
    assert ProposalVersion.objects.filter(proposal=proposal).count() == 1
    assert Proposal.objects.get(pk=proposal.pk).current_version.number == 1
