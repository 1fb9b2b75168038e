"""Invitation e-mails: sent after the transaction commits (none when it rolls back), once per
request to send (a task delivered twice sends one), with an absolute link that opens the
accept page; a failing mail server is shown to the admin with its reason and the link stays
to copy; hostile names are escaped in the HTML part and cannot add a header."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.emails import EmailNotSent, email_task_run, one_line
from accounts.models import AuditEvent, FirmBranding, Invitation
from accounts.tasks import invitation_email_send
from tests import email_backends

BASE = "https://portal.example.test"
PASSWORD = "river-stone-lantern-9"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PORTAL_BASE_URL = BASE
    email_backends.ATTEMPTS.clear()


def _link(message) -> str:
    links = re.findall(r"https?://\S+", message.body)
    assert len(set(links)) == 1, links
    return links[0]


def _html(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def test_a_firm_invitation_is_e_mailed_with_a_working_link(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    admin = cast.a.admin
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitation-create"),
            {"email": "New.Person@Example.com", "first_name": "Ines", "role": "advisor"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new.person@example.com")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.person@example.com"]
    assert message.subject == "You are invited to join Alpha Advisors on the portal"
    assert message.reply_to == [admin.email]
    link = _link(message)
    assert link == f"{BASE}/invite/{invitation.token}/"
    expires = timezone.localtime(invitation.expires_at)
    for part in (message.body, _html(message)):
        assert f"{admin.display_name} invited you" in part  # who invited
        assert "Alpha Advisors</strong> on the portal as an advisor" in part or (
            "Alpha Advisors on the portal as an advisor" in part
        )
        assert "Alpha Advisors" in part
        assert f"{expires.day} {expires:%B %Y}" in part  # the expiry date
        assert "Your username is this e-mail address" in part
        assert "new.person@example.com" in part
    assert f'href="{link}"' in _html(message)
    invitation.refresh_from_db()
    assert invitation.email_sent_at is not None and invitation.email_error == ""
    # The link works: the accept page for this invitation.
    client.logout()
    page = client.get(link.removeprefix(BASE))
    assert page.status_code == 200 and "Your username is this e-mail address" in page.text
    assert "new.person@example.com" in page.text
    # The admin reads that it went out; the audit trail says where.
    client.force_login(admin)
    listing = client.get(reverse("firm-advisors")).content.decode()
    assert 'data-email-state="sent"' in listing and "e-mailed" in listing
    summary = AuditEvent.objects.filter(kind="invitation").values_list("summary", flat=True)
    assert list(summary) == [
        "Invited new.person@example.com as advisor, e-mailed to new.person@example.com"
    ]


def test_no_e_mail_when_the_transaction_rolls_back(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.invitation_create(
            firm=cast.a.firm, invited_by=cast.a.admin, email="gone@example.com"
        )
        raise RuntimeError("something after the invitation failed")
    assert callbacks == [] and mailoutbox == []
    assert not Invitation.objects.filter(email="gone@example.com").exists()


def test_a_task_delivered_twice_sends_one_e_mail(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = services.invitation_create(
            firm=cast.a.firm, invited_by=cast.a.admin, email="twice@example.com"
        )
    assert len(callbacks) == 1 and mailoutbox == []  # nothing before the commit
    callbacks[0]()  # the commit: the task runs (eagerly)
    assert invitation_email_send.delay(invitation.pk).get() == "skipped"  # a second delivery
    assert invitation_email_send.apply(args=[invitation.pk]).get() == "skipped"
    assert [m.to for m in mailoutbox] == [["twice@example.com"]]


def test_a_claim_of_a_dead_worker_is_taken_up_after_its_lease(cast, mailoutbox):
    invitation = services.invitation_create(
        firm=cast.a.firm, invited_by=cast.a.admin, email="lease@example.com"
    )  # on_commit never fires inside the test's transaction: the e-mail is only asked for
    Invitation.objects.filter(pk=invitation.pk).update(email_claimed_at=timezone.now())
    assert invitation_email_send.delay(invitation.pk).get() == "skipped"  # someone is sending
    Invitation.objects.filter(pk=invitation.pk).update(
        email_claimed_at=timezone.now() - timedelta(minutes=6)
    )
    assert invitation_email_send.delay(invitation.pk).get() == "sent"
    assert len(mailoutbox) == 1


def test_resend_sends_a_new_e_mail_whose_link_works_and_the_old_one_does_not(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitation-create"), {"email": "re@example.com", "role": "advisor"})
    invitation = Invitation.objects.get(email="re@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitation-resend", args=[invitation.public_id]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert len(mailoutbox) == 2
    first, second = (_link(m) for m in mailoutbox)
    assert first != second and second == f"{BASE}/invite/{invitation.token}/"
    assert (
        "Sent a new invitation link, e-mailed to re@example.com"
        in AuditEvent.objects.values_list("summary", flat=True)
    )
    client.logout()
    assert client.get(first.removeprefix(BASE)).status_code == 404  # resend closes the old link
    new_page = client.get(second.removeprefix(BASE))
    assert new_page.status_code == 200
    accepted = client.post(
        second.removeprefix(BASE), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert accepted.status_code == 302


def test_a_failing_mail_server_is_shown_to_the_admin_and_the_link_stays(
    transactional_db, client, cast, settings, mailoutbox
):
    """Real commits (a transactional test): the task runs when the service commits, before
    the page answers, as it does without a broker."""
    settings.EMAIL_BACKEND = "tests.email_backends.DownBackend"
    client.force_login(cast.a.admin)
    response = client.post(
        reverse("invitation-create"), {"email": "down@example.com", "role": "advisor"}, follow=True
    )
    reason = "the mail server answered 421 4.3.2 Service not available"
    assert response.status_code == 200
    assert f"e-mail not sent: {reason}" in response.text  # the message after creating
    assert email_backends.ATTEMPTS == ["down@example.com"]  # no retry in-process (no broker)
    invitation = Invitation.objects.get(email="down@example.com")
    assert invitation.email_sent_at is None and invitation.email_error == reason
    listing = client.get(reverse("firm-advisors")).content.decode()
    assert 'data-email-state="failed"' in listing
    assert f"e-mail not sent: {reason}" in listing
    assert f"/invite/{invitation.token}/" in listing and "Copy link" in listing
    # The server is back: the next delivery (the retry) sends it and the reason goes.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitation_email_send.delay(invitation.pk).get() == "sent"
    invitation.refresh_from_db()
    assert invitation.email_error == "" and invitation.email_sent_at is not None
    assert [m.to for m in mailoutbox] == [["down@example.com"]]


def _fake_task(*, retries: int, eager: bool = False):
    asked = []

    class Retry(Exception):
        pass

    def retry(**options):
        asked.append(options)
        return Retry()

    task = SimpleNamespace(
        name="t",
        request=SimpleNamespace(is_eager=eager, retries=retries),
        app=SimpleNamespace(conf=SimpleNamespace(task_always_eager=eager)),
        retry=retry,
    )
    return task, asked, Retry


def test_a_transient_failure_is_retried_with_backoff_and_a_permanent_one_is_not(settings):
    settings.EMAIL_MAX_RETRIES = 5
    settings.EMAIL_RETRY_BACKOFF_SECONDS = 60

    def down():
        raise EmailNotSent("server down", transient=True)

    def refused():
        raise EmailNotSent("no such user", transient=False)

    task, asked, retry_signal = _fake_task(retries=2)
    with pytest.raises(retry_signal):
        email_task_run(task, down)
    assert asked == [{"countdown": 240, "max_retries": 5}]  # 60 s × 2²
    task, asked, _ = _fake_task(retries=5)
    assert email_task_run(task, down) == "failed" and asked == []  # retries used up
    task, asked, _ = _fake_task(retries=0)
    assert email_task_run(task, refused) == "failed" and asked == []
    task, asked, _ = _fake_task(retries=0, eager=True)
    assert email_task_run(task, down) == "failed" and asked == []  # no broker: no retry


def test_a_refused_address_is_not_retried_and_says_why(cast, settings):
    settings.EMAIL_BACKEND = "tests.email_backends.RefusingBackend"
    invitation = services.invitation_create(
        firm=cast.a.firm, invited_by=cast.a.admin, email="nobody@example.com"
    )
    assert invitation_email_send.delay(invitation.pk).get() == "failed"
    invitation.refresh_from_db()
    assert invitation.email_error == "the mail server refused the address"
    assert invitation.email_state == "failed"
    # Given up: the firm's audit trail says so, by the system, with the reason.
    event = AuditEvent.objects.get(
        firm=cast.a.firm, kind="invitation", summary__contains="not sent"
    )
    assert event.summary == (
        "Invitation e-mail to nobody@example.com not sent: the mail server refused the address"
    )
    assert event.actor is None and event.actor_name == "system"


def test_a_transient_failure_with_retries_left_is_not_yet_in_the_audit_trail(settings):
    settings.EMAIL_MAX_RETRIES = 3
    recorded = []

    def down():
        raise EmailNotSent("server down", transient=True)

    task, _, retry_signal = _fake_task(retries=1)
    with pytest.raises(retry_signal):
        email_task_run(task, down, recorded.append)
    assert recorded == []  # another try is coming
    task, _, _ = _fake_task(retries=3)
    assert email_task_run(task, down, recorded.append) == "failed"
    assert recorded == ["server down"]


def test_no_e_mail_for_an_invitation_revoked_before_the_task_ran(cast, mailoutbox):
    invitation = services.invitation_create(
        firm=cast.a.firm, invited_by=cast.a.admin, email="late@example.com"
    )
    services.invitation_revoke(invitation=invitation, actor=cast.a.admin)
    assert invitation_email_send.delay(invitation.pk).get() == "skipped"
    assert mailoutbox == []


def test_hostile_names_are_escaped_and_cannot_add_a_header(cast, mailoutbox):
    firm = cast.a.firm
    firm.name = "<script>alert(1)</script> & Co\r\nBcc: victim@example.com"
    firm.save(update_fields=["name"])
    admin = cast.a.admin
    admin.first_name, admin.last_name = "<b>Eve</b>", "O'Hara\nCc: spy@example.com"
    admin.save(update_fields=["first_name", "last_name"])
    invitation = services.invitation_create(
        firm=firm, invited_by=admin, email="target@example.com", first_name="<i>Tim</i>"
    )
    assert invitation_email_send.delay(invitation.pk).get() == "sent"
    (message,) = mailoutbox
    html = _html(message)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "<b>Eve</b>" not in html and "&lt;b&gt;Eve&lt;/b&gt;" in html
    assert "<i>Tim</i>" not in html and "&lt;i&gt;Tim&lt;/i&gt;" in html
    # The subject is one line; the message has no header but the ones we set.
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject == (
        "You are invited to join <script>alert(1)</script> & Co Bcc: victim@example.com on the "
        "portal"
    )
    raw = message.message().as_string()
    headers = raw.split("\n\n", 1)[0]
    assert not re.search(r"^(Bcc|Cc):", headers, re.M | re.I)
    assert message.recipients() == ["target@example.com"]


def test_the_branding_name_is_what_the_e_mail_says(cast, mailoutbox):
    FirmBranding.objects.create(firm=cast.a.firm, display_name="Alpha Wealth\nPartners")
    invitation = services.invitation_create(
        firm=cast.a.firm, invited_by=cast.a.admin, email="brand@example.com"
    )
    invitation_email_send.delay(invitation.pk)
    (message,) = mailoutbox
    assert message.subject == "You are invited to join Alpha Wealth Partners on the portal"
    assert "Alpha Wealth" in message.body and "Alpha Advisors" not in message.body


def test_one_line_removes_every_kind_of_line_break():
    assert one_line("a\r\nb\u2028c\x85d\x0be\tf  g\u202eh") == "a b c d e f g h"


def test_email_url_is_read_into_smtp_settings():
    from pma_portal.settings import _email_url_settings

    assert _email_url_settings("smtp://me%40x.org:p%3Ass@mail.example.org:2525/?tls=1") == {
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "me@x.org",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }
    smtps = _email_url_settings("smtps://u:p@mail.example.org")
    assert (smtps["EMAIL_PORT"], smtps["EMAIL_USE_SSL"], smtps["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
    plain = _email_url_settings("smtp://localhost")
    assert (plain["EMAIL_PORT"], plain["EMAIL_USE_TLS"], plain["EMAIL_HOST_USER"]) == (
        25,
        False,
        "",
    )


def test_a_broker_that_refuses_the_task_is_shown_and_the_change_stands(
    cast, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(invitation_email_send, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            firm=cast.a.firm, invited_by=cast.a.admin, email="nobroker@example.com"
        )
    invitation.refresh_from_db()
    assert invitation.is_open and mailoutbox == []
    assert invitation.email_state == "failed"
    assert invitation.email_error == (
        "Could not be queued: ConnectionRefusedError: [Errno 111] Connection refused"
    )
