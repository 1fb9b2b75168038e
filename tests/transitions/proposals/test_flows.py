"""Generating, sharing, reviewing and accepting, and every refusal: bad input changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Invitation, Role
from jobs.models import Job
from tests.factories import TEST_PASSWORD, UserFactory
from tests.test_isolation import database_fingerprint
from tests.transitions.proposals.conftest import generate
from transitions.analysis.models import TransitionAnalysis
from transitions.proposals.models import Proposal, ProposalEvent, ProposalVersion
from transitions.proposals.services import proposal_respond, proposal_share

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(finished_analysis, django_capture_on_commit_callbacks):
    advisor = finished_analysis.account.client.advisor
    with django_capture_on_commit_callbacks(execute=True):
        made, _ = generate(finished_analysis, actor=advisor)
    made.refresh_from_db()
    assert made.current_version is not None
    return made


@pytest.mark.parametrize(
    ("status", "words"),
    [("queued", "still running"), ("running", "still running"), ("failed", "failed")],
)
def test_generating_from_an_unfinished_or_failed_analysis_is_refused(
    finished_analysis, status, words
):
    TransitionAnalysis.objects.filter(pk=finished_analysis.pk).update(status=status, error="boom")
    finished_analysis.refresh_from_db()
    before = database_fingerprint()
    with pytest.raises(ValidationError) as refused:
        generate(finished_analysis, actor=finished_analysis.account.client.advisor)
    assert words in " ".join(refused.value.messages)
    assert database_fingerprint() == before


def test_generating_from_a_stale_analysis_is_refused(finished_analysis):
    lot = finished_analysis.account.tax_lots.first()
    lot.shares += 1  # the inputs changed since the analysis ran
    lot.save(update_fields=["shares"])
    before = database_fingerprint()
    with pytest.raises(ValidationError) as refused:
        generate(finished_analysis, actor=finished_analysis.account.client.advisor)
    assert "stale" in " ".join(refused.value.messages)
    assert database_fingerprint() == before


def test_a_scenario_not_in_the_analysis_is_refused(finished_analysis):
    before = database_fingerprint()
    with pytest.raises(ValidationError) as refused:
        generate(
            finished_analysis,
            actor=finished_analysis.account.client.advisor,
            recommended="timeline:7",
        )
    assert "recommended_scenario" in refused.value.message_dict
    assert database_fingerprint() == before


def test_the_page_refuses_a_stale_analysis_with_a_message(client, finished_analysis):
    TransitionAnalysis.objects.filter(pk=finished_analysis.pk).update(
        status="stale", stale_reason="The lots changed."
    )
    client.force_login(finished_analysis.account.client.advisor)
    response = client.post(
        reverse("proposal-generate", kwargs={"public_id": finished_analysis.public_id}),
        {"recommended_scenario": "hold", "shown_scenarios": ["hold"]},
        follow=True,
    )
    assert (
        "No proposal generated: The analysis is stale: The lots changed."
        in response.content.decode()
    )
    assert not Proposal.objects.exists() and not Job.objects.filter(kind="proposal_render").exists()


def test_share_invites_a_client_without_a_login_who_then_reads_it(client, proposal):
    household = proposal.client
    household.logins.all().delete()
    household.email = "morgan@example.com"
    household.save(update_fields=["email"])
    outcome = proposal_share(proposal=proposal, actor=household.advisor)
    invitation = outcome["invitation"]
    assert invitation.role == Role.CLIENT and invitation.client == household
    proposal.refresh_from_db()
    assert proposal.status == "shared"
    response = client.post(
        reverse("invitation-accept", kwargs={"token": invitation.token}),
        {"password1": "a-long-client-pass-77", "password2": "a-long-client-pass-77"},
        follow=True,
    )
    assert response.status_code == 200
    login = household.logins.get()
    assert login.role == Role.CLIENT and login.client == household
    page = client.get(reverse("client-portal")).content.decode()
    assert proposal.title in page and household.name in page
    detail = client.get(reverse("proposal-detail", kwargs={"public_id": proposal.public_id}))
    assert detail.status_code == 200 and "data-accept" in detail.content.decode()


def test_share_refuses_an_address_of_another_household(proposal, cast):
    household = proposal.client
    household.logins.all().delete()
    other_login = cast.a.other_client  # the second advisor's household, same firm
    user = UserFactory(
        firm=household.firm, role=Role.CLIENT, client=other_login, username="okafor-login"
    )
    before = database_fingerprint()
    with pytest.raises(ValidationError) as refused:
        proposal_share(proposal=proposal, actor=household.advisor, email=user.email)
    assert "someone else" in " ".join(refused.value.messages)
    assert database_fingerprint() == before
    assert not Invitation.objects.filter(client=household).exists()


def test_accepting_a_superseded_version_is_refused(
    proposal, finished_analysis, django_capture_on_commit_callbacks
):
    household = proposal.client
    client_login = household.logins.get()
    proposal_share(proposal=proposal, actor=household.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        generate(finished_analysis, actor=household.advisor, proposal=proposal, note="v2")
    proposal.refresh_from_db()
    assert proposal.current_version.number == 2
    before = database_fingerprint()
    with pytest.raises(ValidationError) as refused:
        proposal_respond(
            proposal=proposal, actor=client_login, version_number=1, decision="accepted"
        )
    assert "Version 1 was replaced by version 2" in " ".join(refused.value.messages)
    assert database_fingerprint() == before
    accepted = proposal_respond(
        proposal=proposal, actor=client_login, version_number=2, decision="accepted"
    )
    assert accepted.status == "accepted"
    version = ProposalVersion.objects.get(proposal=proposal, number=2)
    assert version.accepted_by == client_login and version.accepted_at is not None
    event = ProposalEvent.objects.filter(proposal=proposal, kind="accepted").get()
    assert (event.actor, event.version) == (client_login, version)


def test_client_answers_by_post_and_the_advisor_sees_it(client, proposal):
    household = proposal.client
    proposal_share(proposal=proposal, actor=household.advisor)
    client.force_login(household.logins.get())
    url = reverse("proposal-respond", kwargs={"public_id": proposal.public_id})
    client.post(url, {"version": 1, "decision": "reviewed"})
    client.post(url, {"version": 1, "decision": "accepted"})
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    client.force_login(household.advisor)
    page = client.get(reverse("client-detail", kwargs={"public_id": household.public_id}))
    assert 'data-status="accepted"' in page.content.decode()
    kinds = list(ProposalEvent.objects.filter(proposal=proposal).values_list("kind", flat=True))
    assert {"reviewed", "accepted", "shared", "generated"} <= set(kinds)


def test_advisor_cannot_answer_for_the_client(client, proposal):
    proposal_share(proposal=proposal, actor=proposal.client.advisor)
    client.force_login(proposal.client.advisor)
    response = client.post(
        reverse("proposal-respond", kwargs={"public_id": proposal.public_id}),
        {"version": 1, "decision": "accepted"},
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "shared"


def test_access_other_household_and_other_firm_get_404(client, proposal, cast):
    proposal_share(proposal=proposal, actor=proposal.client.advisor)
    page = reverse("proposal-detail", kwargs={"public_id": proposal.public_id})
    file = reverse(
        "proposal-version-download", kwargs={"public_id": proposal.current_version.public_id}
    )
    api = reverse("api-proposal-download", kwargs={"public_id": proposal.public_id})
    other_household_client = UserFactory(
        firm=cast.a.firm, role=Role.CLIENT, client=cast.a.other_client, username="other-hh"
    )
    outsiders = [other_household_client, cast.a.other_advisor, cast.b.admin, cast.b.advisor]
    outsiders.append(cast.b.client_user)
    for user in outsiders:
        client.force_login(user)
        for url in (page, file, api):
            assert client.get(url).status_code == 404, (user.username, url)
        respond = reverse("proposal-respond", kwargs={"public_id": proposal.public_id})
        assert client.post(respond, {"version": 1, "decision": "accepted"}).status_code in {
            403,
            404,
        }
    proposal.refresh_from_db()
    assert proposal.status == "shared"
    for user in (cast.a.admin, cast.a.advisor, proposal.client.logins.get()):
        client.force_login(user)
        response = client.get(file)
        assert response.status_code == 200, user.username
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_draft_is_not_the_clients_yet(client, proposal):
    client.force_login(proposal.client.logins.get())
    page = reverse("proposal-detail", kwargs={"public_id": proposal.public_id})
    assert client.get(page).status_code == 404


def test_api_generate_share_respond_download(client, finished_analysis, cast):
    advisor = finished_analysis.account.client.advisor
    client.force_login(advisor)
    with pytest.MonkeyPatch.context():
        response = client.post(
            reverse("api-proposal-list"),
            {
                "analysis": str(finished_analysis.public_id),
                "recommended_scenario": "timeline:2",
                "shown_scenarios": ["immediate", "timeline:2"],
            },
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    proposal = Proposal.objects.get(public_id=response.json()["id"])
    assert Job.objects.filter(public_id=response.json()["job"]).exists()
    # Another firm's analysis id is "no such analysis", not a leak.
    client.force_login(cast.b.advisor)
    refused = client.post(
        reverse("api-proposal-list"),
        {"analysis": str(finished_analysis.public_id), "recommended_scenario": "hold"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "No such analysis" in refused.content.decode()
    assert (
        client.get(
            reverse("api-proposal-detail", kwargs={"public_id": proposal.public_id})
        ).status_code
        == 404
    )


def test_schema_lists_the_proposal_routes(client, cast):
    client.force_login(cast.a.advisor)
    schema = client.get(reverse("api-schema")).content.decode()
    for path in (
        "/api/proposals/",
        "/api/proposals/{public_id}/share/",
        "/api/proposals/{public_id}/respond/",
        "/api/proposals/{public_id}/download/",
    ):
        assert path in schema


def test_client_password_works(client, proposal):
    response = client.post(
        "/login/",
        {"username": proposal.client.logins.get().username, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_demo_seed_makes_one_shared_proposal(finished_analysis, django_capture_on_commit_callbacks):
    from transitions.proposals.demo import demo_proposal_seed

    demo_proposal_seed(quick=True)
    assert not Proposal.objects.exists()  # the tests' quick seed renders nothing
    with django_capture_on_commit_callbacks(execute=True):
        demo_proposal_seed(quick=False)
    demo_proposal_seed(quick=False)  # shares what was rendered; idempotent after that
    demo_proposal_seed(quick=False)
    proposal = Proposal.objects.get()
    assert proposal.status == "shared" and proposal.current_version.number == 1


def test_generate_and_share_through_the_api_answer_exactly_their_schema(
    finished_analysis, client, django_capture_on_commit_callbacks, mailoutbox
):
    """The 202 of a generation carries its render job, the 200 of a share the invitation
    link (none: the household has a login) and the share e-mail's state: each documented,
    field for field."""
    from rest_framework.test import APIClient

    from tests.contract.exact import assert_exact, response_schema

    schema = client.get("/api/schema/?format=json").json()
    api = APIClient()
    api.force_authenticate(finished_analysis.account.client.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        made = api.post(
            "/api/proposals/",
            {
                "analysis": str(finished_analysis.public_id),
                "recommended_scenario": "timeline:2",
            },
            format="json",
        )
    assert made.status_code == 202, made.content
    assert made.json()["job"]
    assert_exact(schema, response_schema(schema, "/api/proposals/", "post", "202"), made.json())
    url = f"/api/proposals/{made.json()['id']}/share/"
    with django_capture_on_commit_callbacks(execute=True):
        shared = api.post(url, {}, format="json")
    assert shared.status_code == 200, shared.content
    body = shared.json()
    login = finished_analysis.account.client.logins.get()  # the household has a client login
    assert (body["share_email_to"], body["invitation_url"]) == (login.email, None)
    assert body["share_email_state"] in {"queued", "sent"}  # the e-mail goes after the commit
    assert [m.to for m in mailoutbox] == [[login.email]]
    assert_exact(schema, response_schema(schema, "/api/proposals/{public_id}/share/", "post"), body)
