"""Isolation table of the proposal pages and API (see tests/routes.py).

The kwargs builder creates, on first use, one shared proposal with one version (a tiny PDF in
private storage) per account, on the tiny finished analysis of tests/routes_analysis.py.
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile

from tests.routes import Route
from tests.routes_analysis import analysis_kw, analysis_make

ALL = ("firm_admin", "advisor", "client")
ADMIN = ("firm_admin",)
TINY_PDF = b"%PDF-1.4\n% a stand-in for the isolation tests\n%%EOF\n"


def proposal_make(account):
    from transitions.proposals.models import Proposal, ProposalVersion

    proposal = Proposal.objects.filter(account=account).first()
    if proposal is None:
        analysis = analysis_make(account)
        proposal = Proposal.objects.create(
            firm=account.firm,
            client=account.client,
            account=account,
            analysis=analysis,
            recommended_scenario="hold",
            shown_scenarios=["hold"],
            status="shared",
            created_by=account.client.advisor,
        )
        version = ProposalVersion(
            firm=account.firm,
            proposal=proposal,
            number=1,
            request_token=uuid.uuid4(),
            analysis=analysis,
            sha256="0" * 64,
            created_by=account.client.advisor,
        )
        version.file.save("proposal.pdf", ContentFile(TINY_PDF), save=False)
        version.save()
        proposal.current_version = version
        proposal.save(update_fields=["current_version"])
    return proposal


def _account(f, side):
    return f.account if side == "primary" else f.other_account


def proposal_kw(f, side):
    return {"public_id": proposal_make(_account(f, side)).public_id}


def version_kw(f, side):
    return {"public_id": proposal_make(_account(f, side)).current_version.public_id}


ROUTES: list[Route] = [
    Route(
        "proposal-generate",
        analysis_kw,
        readable=False,
        payload={"recommended_scenario": "hold", "shown_scenarios": ["hold"]},
    ),
    Route("proposal-detail", proposal_kw, roles=ALL, write_methods=()),
    Route("proposal-share", proposal_kw, readable=False, payload={"email": "x@example.com"}),
    # The client's own POST is tested in tests/transitions/proposals/test_access.py (the
    # generated client test expects every write of a client refused).
    Route("proposal-respond", proposal_kw, readable=False, write_methods=()),
    Route("proposal-version-download", version_kw, roles=ALL, write_methods=()),
    Route("client-portal", roles=("client",), write_methods=()),
    Route("firm-branding", roles=ADMIN, payload={"display_name": "Intruder", "color": "#000000"}),
    Route("firm-branding-logo", roles=ALL, write_methods=()),
    # API
    Route(
        "api-proposal-list",
        is_api=True,
        roles=ALL,
        payload={"recommended_scenario": "hold"},
    ),
    Route("api-proposal-detail", proposal_kw, is_api=True, roles=ALL, write_methods=()),
    Route("api-proposal-download", proposal_kw, is_api=True, roles=ALL, write_methods=()),
    Route(
        "api-proposal-share",
        proposal_kw,
        is_api=True,
        readable=False,
        payload={"email": "x@example.com"},
    ),
    Route(
        "api-proposal-respond",
        proposal_kw,
        is_api=True,
        readable=False,
        write_methods=(),
    ),
]
