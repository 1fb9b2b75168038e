"""Sharing a proposal e-mails the client after the share commits: "your advisor shared a
proposal" with a link to it (never the PDF, never a figure) to a client with a login, the
client invitation to one without; a task delivered twice sends one; a failure is shown to the
advisor with its reason."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import AuditEvent, Invitation
from tests.transitions.proposals.conftest import generate
from transitions.proposals.models import Proposal
from transitions.proposals.services import proposal_share
from transitions.proposals.tasks import proposal_share_email_send

pytestmark = pytest.mark.django_db

BASE = "https://portal.example.test"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PORTAL_BASE_URL = BASE


@pytest.fixture
def proposal(finished_analysis, django_capture_on_commit_callbacks):
    advisor = finished_analysis.account.client.advisor
    with django_capture_on_commit_callbacks(execute=True):
        made, _ = generate(finished_analysis, actor=advisor)
    made.refresh_from_db()
    assert made.current_version is not None
    return made


def _link(message) -> str:
    links = set(re.findall(r"https?://\S+", message.body))
    assert len(links) == 1, links
    return links.pop()


def _without(text: str, *parts: str) -> str:
    for part in parts:
        text = text.replace(part, "")
    return text


def test_a_client_with_a_login_is_e_mailed_a_link_and_no_figures(
    client, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    household = proposal.client
    login = household.logins.get()
    advisor = household.advisor
    client.force_login(advisor)
    url = reverse("proposal-share", kwargs={"public_id": proposal.public_id})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"email": ""}).status_code == 302
    (message,) = mailoutbox
    assert message.to == [login.email]
    assert message.subject == "Your advisor at Alpha Advisors shared a proposal"
    link = _link(message)
    path = reverse("proposal-detail", kwargs={"public_id": proposal.public_id})
    assert link == f"{BASE}{path}"
    assert message.attachments == []  # never the PDF
    (html, _), *_ = message.alternatives
    assert f'href="{link}"' in html
    visible_html = re.sub(r"<[^>]+>", " ", html)  # what the reader sees, not the markup
    for part in (message.body, visible_html):
        assert advisor.display_name in part and "Alpha Advisors" in part
        # No figure of the proposal: no digit is left once the link and the names are out.
        rest = _without(part, link, advisor.display_name, login.first_name)
        assert not re.search(r"\d", rest), rest
        assert "$" not in part and "%" not in part
    proposal.refresh_from_db()
    assert proposal.share_email_sent_at is not None and proposal.share_email_to == login.email
    summaries = list(AuditEvent.objects.filter(kind="proposal").values_list("summary", flat=True))
    assert any(f"e-mailed to {login.email}" in s for s in summaries), summaries
    # The link works for the client: the proposal's page.
    client.force_login(login)
    assert client.get(link.removeprefix(BASE)).status_code == 200
    # The advisor's page says it went out.
    client.force_login(advisor)
    page = client.get(path).content.decode()
    assert 'data-share-email="sent"' in page


def test_a_client_without_a_login_gets_the_invitation_in_plain_words(
    client, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    household = proposal.client
    household.logins.all().delete()
    household.email = "morgan@example.com"
    household.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        outcome = proposal_share(proposal=proposal, actor=household.advisor)
    invitation = outcome["invitation"]
    (message,) = mailoutbox
    assert message.to == ["morgan@example.com"]
    assert message.subject == "Alpha Advisors: read your accounts and proposals online"
    assert message.attachments == []
    assert "your advisor at Alpha Advisors" in message.body
    assert "choose a password" in message.body and "contains no account details" in message.body
    link = _link(message)
    assert link == f"{BASE}/invite/{invitation.token}/"
    page = client.get(link.removeprefix(BASE))
    assert page.status_code == 200 and "morgan@example.com" in page.text
    events = AuditEvent.objects.filter(kind="proposal").values_list("summary", flat=True)
    assert any("invitation e-mailed to morgan@example.com" in s for s in events)
    # Sharing again sends the same link again (a new e-mail); a redelivered task sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        proposal_share(proposal=proposal, actor=household.advisor)
    assert len(mailoutbox) == 2 and _link(mailoutbox[1]) == link
    assert Invitation.objects.filter(client=household).count() == 1
    from accounts.tasks import invitation_email_send

    assert invitation_email_send.delay(invitation.pk).get() == "skipped"
    assert len(mailoutbox) == 2


def test_no_e_mail_when_the_share_rolls_back(
    proposal, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        proposal_share(proposal=proposal, actor=proposal.client.advisor)
        raise RuntimeError("the surrounding change failed")
    assert callbacks == [] and mailoutbox == []
    proposal.refresh_from_db()
    assert proposal.status == "draft" and proposal.share_email_queued_at is None


def test_a_share_task_delivered_twice_sends_one(
    proposal, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        proposal_share(proposal=proposal, actor=proposal.client.advisor)
    assert mailoutbox == []
    callbacks[0]()
    assert proposal_share_email_send.delay(proposal.pk).get() == "skipped"
    assert len(mailoutbox) == 1


def test_a_failed_share_e_mail_is_shown_to_the_advisor(
    client, proposal, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.email_backends.DownBackend"
    advisor = proposal.client.advisor
    with django_capture_on_commit_callbacks(execute=True):
        proposal_share(proposal=proposal, actor=advisor)
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.status == "shared"  # the share stands; only the e-mail failed
    client.force_login(advisor)
    page = client.get(reverse("proposal-detail", kwargs={"public_id": proposal.public_id}))
    text = page.content.decode()
    assert 'data-share-email="failed"' in text
    assert "e-mail not sent: the mail server answered 421 4.3.2 Service not available" in text
    assert mailoutbox == []
    # The firm's audit trail keeps it too, in words, with the reason.
    events = AuditEvent.objects.filter(firm=proposal.firm, kind="proposal", actor=None)
    summaries = [e.summary for e in events]
    assert any(
        "e-mail to" in text and "not sent: the mail server answered 421" in text
        for text in summaries
    ), summaries
