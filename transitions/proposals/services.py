"""Writes of proposals: generate (checked, then a render job), render and store a version (the
job; claimed by its request token so a second delivery makes nothing), share with the client
(inviting a client without a login), and the client's review or acceptance of a version."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from jobs.registry import JobError
from jobs.services import job_create
from transitions.analysis.models import AnalysisStatus, TransitionAnalysis
from transitions.analysis.selectors import analysis_stale_reason
from transitions.proposals.audit import proposal_event_record
from transitions.proposals.models import (
    CLIENT_VISIBLE,
    Proposal,
    ProposalEventKind,
    ProposalStatus,
    ProposalVersion,
)

JOB_KIND = "proposal_render"
NOTE_MAX = 2000


def analysis_ready_check(*, analysis: TransitionAnalysis) -> None:
    """A proposal is made only from a finished, current analysis (ValidationError saying why)."""
    if analysis.status in (AnalysisStatus.QUEUED, AnalysisStatus.RUNNING):
        raise ValidationError(
            {"analysis": "The analysis is still running: wait until it has finished."}
        )
    if analysis.status == AnalysisStatus.FAILED:
        raise ValidationError(
            {"analysis": f"The analysis failed ({analysis.error or 'no result'}): re-run it first."}
        )
    stale = analysis_stale_reason(analysis=analysis)
    if stale:
        raise ValidationError({"analysis": f"The analysis is stale: {stale}"})
    if not analysis.result or not analysis.result.get("scenarios"):
        raise ValidationError({"analysis": "The analysis has no stored result."})


def _choices_check(*, analysis, recommended: str, shown: Sequence[str], note: str) -> list[str]:
    names = list(analysis.scenario_names)
    errors: dict[str, str] = {}
    if recommended not in names:
        errors["recommended_scenario"] = (
            f"{recommended or 'Nothing'} is not a scenario of this analysis; pick one of "
            + ", ".join(names)
            + "."
        )
    unknown = [s for s in shown if s not in names]
    if unknown:
        errors["shown_scenarios"] = f"Not scenarios of this analysis: {', '.join(unknown)}."
    if len(note) > NOTE_MAX:
        errors["advisor_note"] = f"The note is {len(note)} characters; at most {NOTE_MAX}."
    if errors:
        raise ValidationError(errors)
    # Shown in the analysis' order, the recommended one always among them.
    wanted = set(shown) | {recommended}
    return [n for n in names if n in wanted]


def proposal_generate(
    *,
    analysis: TransitionAnalysis,
    actor,
    recommended: str,
    shown: Sequence[str],
    note: str = "",
    proposal: Proposal | None = None,
) -> tuple[Proposal, object]:
    """Check the analysis and the choices, record them on the proposal (a new one, or the
    given one for its next version) and queue the render job. Nothing is written on refusal."""
    analysis_ready_check(analysis=analysis)
    note = (note or "").strip()
    shown_names = _choices_check(analysis=analysis, recommended=recommended, shown=shown, note=note)
    if proposal is not None and proposal.account_id != analysis.account_id:
        raise ValidationError({"analysis": "This analysis is of another account."})
    with transaction.atomic():
        if proposal is None:
            proposal = Proposal.objects.create(
                firm_id=analysis.firm_id,
                client=analysis.account.client,
                account=analysis.account,
                analysis=analysis,
                recommended_scenario=recommended,
                shown_scenarios=shown_names,
                advisor_note=note,
                created_by=actor,
            )
        else:
            proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
            proposal.analysis = analysis
            proposal.recommended_scenario = recommended
            proposal.shown_scenarios = shown_names
            proposal.advisor_note = note
            proposal.save(
                update_fields=[
                    "analysis",
                    "recommended_scenario",
                    "shown_scenarios",
                    "advisor_note",
                    "updated_at",
                ]
            )
        job = job_create(
            kind=JOB_KIND,
            title=f"Proposal for {proposal.client.name}",
            firm=proposal.firm,
            created_by=actor,
            params={
                "proposal": str(proposal.public_id),
                "analysis": str(analysis.public_id),
                "recommended": recommended,
                "shown": shown_names,
                "note": note,
                "request_token": str(uuid.uuid4()),
            },
            target=proposal,
            target_label=f"Proposal for {proposal.client.name}",
        )
        proposal_event_record(
            proposal=proposal, kind=ProposalEventKind.GENERATE_REQUESTED, actor=actor
        )
    return proposal, job


def _summary(data) -> dict:
    """What a version says, in a few comparable lines (for 'what changed')."""
    rec = data.recommended
    return {
        "analysis": data.assumptions.analysis_id,
        "analysis_as_of": data.assumptions.as_of.isoformat(),
        "recommended": rec.name,
        "recommended_label": rec.label,
        "shown": [s.name for s in data.scenarios],
        "shown_labels": [s.label for s in data.scenarios],
        "note": data.advisor_note,
        "first_year_tax": rec.first_year_tax,
        "total_tax": rec.total_tax,
        "years_to_target": rec.years_to_target,
        "after_tax_value": rec.after_tax_value,
        "branding": [data.branding.name, data.branding.color, bool(data.branding.logo_png)],
    }


def version_changes(*, previous: dict | None, current: dict) -> list[str]:
    """Plain sentences: what this version says differently from the one before."""
    from transitions.proposals.formatting import money, years

    if previous is None:
        return ["First version."]
    out = []
    if previous.get("analysis") != current["analysis"]:
        out.append(
            f"Figures from a newer analysis (as of {current['analysis_as_of']}, was "
            f"{previous.get('analysis_as_of')})."
        )
    if previous.get("recommended") != current["recommended"]:
        out.append(
            f"Recommendation changed from {previous.get('recommended_label')} to "
            f"{current['recommended_label']}."
        )
    added = [x for x in current["shown_labels"] if x not in previous.get("shown_labels", [])]
    removed = [x for x in previous.get("shown_labels", []) if x not in current["shown_labels"]]
    if added:
        out.append("Scenarios added: " + ", ".join(added) + ".")
    if removed:
        out.append("Scenarios removed: " + ", ".join(removed) + ".")
    if previous.get("note") != current["note"]:
        out.append("The advisor's note changed.")
    for key, label, fmt in (
        ("first_year_tax", "First-year tax", money),
        ("total_tax", "Total tax", money),
        ("after_tax_value", "After-tax value", money),
        ("years_to_target", "Time to target", years),
    ):
        if previous.get("recommended") == current["recommended"] and previous.get(
            key
        ) != current.get(key):
            out.append(f"{label}: {fmt(previous.get(key))} → {fmt(current.get(key))}.")
    if previous.get("branding") != current["branding"]:
        out.append("The firm's branding changed.")
    return out or ["Regenerated; nothing in it changed."]


class _NumberTaken(Exception):
    """Another version was stored while this one rendered: render again with the next number."""


def proposal_render_run(*, job, progress: Callable[[int, str], None]) -> dict:
    """The render job: build the data, render, store as the next version. A second delivery
    of the same job finds the version made by its request token and makes no other."""
    from django.urls import reverse

    from transitions.proposals.inputs import proposal_data_build
    from transitions.proposals.render import proposal_pdf_document

    proposal = proposal_job_check(job=job)
    params = job.params
    token = params["request_token"]
    existing = ProposalVersion.objects.filter(request_token=token).first()
    url = reverse("proposal-detail", kwargs={"public_id": proposal.public_id})
    if existing is not None:
        return {"proposal": str(proposal.public_id), "version": existing.number, "url": url}
    analysis = (
        TransitionAnalysis.objects.select_related("account__client__advisor", "account__strategy")
        .filter(public_id=params["analysis"], firm_id=job.firm_id)
        .first()
    )
    if analysis is None:
        raise JobError("The analysis of this proposal no longer exists.")
    try:
        analysis_ready_check(analysis=analysis)
    except ValidationError as error:
        raise JobError(" ".join(error.messages)) from None
    for _attempt in range(3):
        last = ProposalVersion.objects.filter(proposal=proposal).order_by("-number").first()
        number = (last.number + 1) if last else 1
        progress(10, "Reading the analysis and the account")
        data = proposal_data_build(
            analysis=analysis,
            recommended=params["recommended"],
            shown=params["shown"],
            note=params.get("note", ""),
            version=number,
            prepared_on=timezone.localdate(),
        )
        progress(35, "Drawing the charts and laying out the pages")
        pdf, pages = proposal_pdf_document(data)
        progress(90, "Storing the PDF")
        try:
            version, _created = proposal_version_store(
                proposal=proposal,
                pdf=pdf,
                data=data,
                request_token=token,
                job=job,
                actor=job.created_by,
                pages=pages,
                expected_number=number,
            )
        except _NumberTaken:
            continue
        return {"proposal": str(proposal.public_id), "version": version.number, "url": url}
    raise JobError("Other versions kept being stored while this one rendered; try again.")


def proposal_version_store(
    *,
    proposal: Proposal,
    pdf: bytes,
    data,
    request_token: str,
    job,
    actor,
    pages: int,
    expected_number: int | None = None,
) -> tuple[ProposalVersion, bool]:
    """Store `pdf` as the proposal's next version; (version, created). Idempotent on
    `request_token`: a version already made by it is returned as is."""
    existing = ProposalVersion.objects.filter(request_token=request_token).first()
    if existing is not None:
        return existing, False
    summary = _summary(data)
    try:
        with transaction.atomic():
            locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
            previous = ProposalVersion.objects.filter(proposal=locked).order_by("-number").first()
            number = (previous.number + 1) if previous else 1
            if expected_number is not None and number != expected_number:
                raise _NumberTaken()  # the PDF prints its number: it must be this one
            version = ProposalVersion(
                firm_id=locked.firm_id,
                proposal=locked,
                number=number,
                request_token=request_token,
                analysis_id=proposal.analysis_id,
                file_size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
                pages=pages,
                summary=summary,
                changes=version_changes(
                    previous=previous.summary if previous else None, current=summary
                ),
                job=job,
                created_by=actor,
            )
            version.file.save("proposal.pdf", ContentFile(pdf), save=False)
            version.save()
            locked.current_version = version
            # A new version is for the client to read again: shared proposals stay shared.
            if locked.status in (ProposalStatus.REVIEWED, ProposalStatus.ACCEPTED):
                locked.status = ProposalStatus.SHARED
            locked.save(update_fields=["current_version", "status", "updated_at"])
            proposal_event_record(
                proposal=locked,
                kind=ProposalEventKind.GENERATED,
                actor=actor,
                version=version,
                detail=" ".join(version.changes)[:300],
            )
    except IntegrityError:
        # Another delivery stored it between our check and our insert.
        existing = ProposalVersion.objects.filter(request_token=request_token).first()
        if existing is None:
            raise
        return existing, False
    return version, True


def proposal_share(*, proposal: Proposal, actor, email: str = "") -> dict:
    """Let the household's client read the proposal and tell them by e-mail once this commits:
    a client with a login gets "your advisor shared a proposal", one without an invitation to
    set a password. Each share sends one e-mail.

    Returns {"invitation": Invitation | None, "login": User | None}."""
    from accounts.models import Role, User
    from accounts.services import client_invitation_create
    from transitions.proposals.emails import proposal_share_email_queue

    if proposal.current_version_id is None:
        raise ValidationError("Nothing to share yet: the proposal has no rendered version.")
    client = proposal.client
    login = User.objects.filter(role=Role.CLIENT, client=client, is_active=True).first()
    invitation = None
    with transaction.atomic():
        if login is None:
            address = (email or client.email or "").strip()
            other = (
                User.objects.filter(email__iexact=address).exclude(client=client).first()
                if address
                else None
            )
            if other is not None:
                raise ValidationError(
                    {
                        "email": "This address belongs to a login of someone else; it cannot "
                        "be given this household's proposal."
                    }
                )
            invitation = client_invitation_create(client=client, invited_by=actor, email=address)
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status == ProposalStatus.DRAFT:
            locked.status = ProposalStatus.SHARED
        locked.shared_at = timezone.now()
        locked.save(update_fields=["status", "shared_at", "updated_at"])
        if login is not None:
            proposal_share_email_queue(proposal=locked, to=login.email)
            detail = f"with {login.display_name}"
            if login.email:
                detail += f", e-mailed to {login.email}"
        else:
            detail = f"invitation e-mailed to {invitation.email}"
        proposal_event_record(
            proposal=locked,
            kind=ProposalEventKind.SHARED,
            actor=actor,
            version=locked.current_version,
            detail=detail,
        )
        if invitation is not None:
            proposal_event_record(
                proposal=locked,
                kind=ProposalEventKind.INVITED,
                actor=actor,
                detail=f"invitation e-mailed to {invitation.email}",
            )
    proposal.refresh_from_db()
    return {"invitation": invitation, "login": login}


DECISIONS = {"reviewed": ProposalStatus.REVIEWED, "accepted": ProposalStatus.ACCEPTED}


def proposal_respond(*, proposal: Proposal, actor, version_number: int, decision: str) -> Proposal:
    """The client marks the current version reviewed or accepted. A superseded version, a
    draft or another household's proposal is refused with the reason; nothing changes."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose reviewed or accepted."})
    if not getattr(actor, "is_client_user", False) or actor.client_id != proposal.client_id:
        raise ValidationError("Only the household's client login can answer its proposal.")
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in CLIENT_VISIBLE:
            raise ValidationError("This proposal has not been shared with you.")
        current = locked.current_version
        if current is None or current.number != version_number:
            latest = current.number if current else "none"
            raise ValidationError(
                {
                    "version": f"Version {version_number} was replaced by version {latest}: "
                    "open the latest version and answer that one."
                }
            )
        now = timezone.now()
        if decision == "accepted":
            if current.accepted_at is not None:
                raise ValidationError(
                    {"decision": f"You accepted version {current.number} already."}
                )
            current.accepted_at, current.accepted_by = now, actor
            if current.reviewed_at is None:
                current.reviewed_at, current.reviewed_by = now, actor
            locked.status = ProposalStatus.ACCEPTED
            kind = ProposalEventKind.ACCEPTED
        else:
            if current.accepted_at is not None:
                raise ValidationError(
                    {"decision": f"Version {current.number} is accepted already."}
                )
            current.reviewed_at, current.reviewed_by = now, actor
            locked.status = ProposalStatus.REVIEWED
            kind = ProposalEventKind.REVIEWED
        current.save(update_fields=["reviewed_at", "reviewed_by", "accepted_at", "accepted_by"])
        locked.save(update_fields=["status", "updated_at"])
        proposal_event_record(
            proposal=locked,
            kind=kind,
            actor=actor,
            version=current,
            detail=f"version {current.number}",
        )
    return locked


def proposal_job_check(*, job) -> Proposal:
    proposal = (
        Proposal.objects.select_related("client__advisor", "account__strategy", "analysis")
        .filter(pk=job.target_id, firm_id=job.firm_id)
        .first()
    )
    if proposal is None:
        raise JobError("The proposal no longer exists.")
    return proposal
