"""Invitations (issue 9): the same address invited by two firms never answers 500; a firm admin
does not learn that an address has a login in another firm; copy, resend and revoke a link,
expiry, no duplicate open invitations, closed when used, the username rule stated, and a
confirmation before deactivating someone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, User

PASSWORD = "river-stone-lantern-9"


def _accept(client, invitation, password=PASSWORD):
    url = reverse("invitation-accept", args=[invitation.token])
    return client.post(url, {"password1": password, "password2": password})


def test_the_same_address_invited_by_two_firms_never_answers_500(client, cast):
    first = services.invitation_create(
        firm=cast.a.firm, invited_by=cast.a.admin, email="Dana@Example.com"
    )
    second = services.invitation_create(
        firm=cast.b.firm, invited_by=cast.b.admin, email="dana@example.com"
    )
    assert _accept(client, first).status_code == 302
    client.logout()
    response = _accept(client, second)
    assert response.status_code == 200
    assert "already has a login" in response.content.decode()
    assert User.objects.filter(email="dana@example.com").count() == 1
    second.refresh_from_db()
    assert second.accepted_at is None


def test_an_admin_does_not_learn_of_another_firms_login(client, cast):
    client.force_login(cast.a.admin)
    url = reverse("invitation-create")
    other_firms = client.post(url, {"email": cast.b.advisor.email, "role": "advisor"})
    nobodys = client.post(url, {"email": "nobody@example.com", "role": "advisor"})
    assert other_firms.status_code == nobodys.status_code == 302  # the same answer
    assert Invitation.objects.filter(firm=cast.a.firm).count() == 2
    page = client.get(reverse("firm-advisors")).content.decode()
    assert cast.b.advisor.email in page and "already" not in page


def test_no_duplicate_open_invitation_and_revoke_then_invite_again(client, cast):
    services.invitation_create(firm=cast.a.firm, invited_by=cast.a.admin, email="e@example.com")
    with pytest.raises(ValidationError, match="already has an open invitation"):
        services.invitation_create(firm=cast.a.firm, invited_by=cast.a.admin, email="E@example.com")
    invitation = Invitation.objects.get()
    client.force_login(cast.a.admin)
    client.post(reverse("invitation-revoke", args=[invitation.public_id]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and not invitation.is_open
    client.logout()
    assert client.get(reverse("invitation-accept", args=[invitation.token])).status_code == 404
    again = services.invitation_create(
        firm=cast.a.firm, invited_by=cast.a.admin, email="e@example.com"
    )
    assert again.is_open


def test_resend_makes_a_new_link_and_the_old_one_stops_working(client, cast):
    invitation = services.invitation_create(
        firm=cast.a.firm, invited_by=cast.a.admin, email="r@example.com"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    old_token = invitation.token
    client.force_login(cast.a.admin)
    page = client.get(reverse("firm-advisors")).content.decode()
    assert "expired" in page
    client.post(reverse("invitation-resend", args=[invitation.public_id]))
    invitation.refresh_from_db()
    assert invitation.token != old_token and invitation.is_open
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    page = client.get(reverse("firm-advisors")).content.decode()
    assert f"/invite/{invitation.token}/" in page and "Copy link" in page  # the link to copy
    client.logout()
    assert client.get(reverse("invitation-accept", args=[old_token])).status_code == 404
    assert _accept(client, invitation).status_code == 302


def test_an_invitation_is_closed_when_used(client, cast):
    invitation = services.invitation_create(
        firm=cast.a.firm, invited_by=cast.a.admin, email="u@example.com"
    )
    assert _accept(client, invitation).status_code == 302
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and not invitation.is_open
    client.force_login(cast.a.admin)
    page = client.get(reverse("firm-advisors")).content.decode()
    assert "Open invitations" not in page  # the only invitation is used: none is open
    with pytest.raises(ValidationError):
        services.invitation_resend(invitation=invitation, actor=cast.a.admin)


def test_the_username_rule_is_stated_and_deactivation_asks_first(client, cast):
    invitation = services.invitation_create(
        firm=cast.a.firm, invited_by=cast.a.admin, email="w@example.com"
    )
    accept = client.get(reverse("invitation-accept", args=[invitation.token])).content.decode()
    assert "Your username is this e-mail address" in accept
    client.force_login(cast.a.admin)
    form = client.get(reverse("invitation-create")).content.decode()
    assert "username will be this e-mail address" in form
    advisors = client.get(reverse("firm-advisors")).content.decode()
    assert f'data-confirm="Deactivate {cast.a.other_advisor.display_name}?' in advisors
