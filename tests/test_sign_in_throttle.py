"""Every sign-in door shares one throttle (django-axes, issue 9): the admin login is throttled,
the real user still signs in from another address, an address spraying many usernames is
limited without blocking other addresses, and the token endpoint counts in the same table."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD

ATTACKER = "203.0.113.66"
HOME = "198.51.100.7"


@pytest.fixture
def superuser(db):
    from accounts.models import User

    return User.objects.create_superuser(
        username="root", email="root@example.com", password=TEST_PASSWORD
    )


def _admin_login(client, username, password, address):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_the_admin_door_is_throttled_after_n_failures(client, superuser, settings):
    settings.AXES_FAILURE_LIMIT = 5
    answers = [_admin_login(client, "root", f"guess-{i}", ATTACKER).status_code for i in range(30)]
    assert answers[:4] == [200] * 4 and set(answers[4:]) == {429}
    # Even the right password is refused from the attacker's address during the cool-off.
    assert _admin_login(client, "root", TEST_PASSWORD, ATTACKER).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_real_user_still_signs_in_from_another_address(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 5
    username = cast.a.advisor.username
    for i in range(10):
        client.post(
            reverse("login"), {"username": username, "password": f"x{i}"}, REMOTE_ADDR=ATTACKER
        )
    home = client.post(
        reverse("login"), {"username": username, "password": TEST_PASSWORD}, REMOTE_ADDR=HOME
    )
    assert home.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.a.advisor.pk)


def test_case_changes_do_not_make_a_new_pair(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    username = cast.a.advisor.username
    for spelling in (username, username.upper(), f" {username} "):
        response = client.post(
            reverse("login"), {"username": spelling, "password": "no"}, REMOTE_ADDR=ATTACKER
        )
    assert response.status_code == 429


def test_an_address_spraying_many_usernames_is_limited_alone(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 12
    answers = [
        client.post(
            reverse("login"),
            {"username": f"user{i}", "password": "Winter2026!"},
            REMOTE_ADDR=ATTACKER,
        ).status_code
        for i in range(12)
    ]
    assert answers[:11] == [200] * 11 and answers[11] == 429  # 12 failures, 1 per username
    # Other addresses are untouched: the advisor signs in from home.
    response = client.post(
        reverse("login"),
        {"username": cast.a.advisor.username, "password": TEST_PASSWORD},
        REMOTE_ADDR=HOME,
    )
    assert response.status_code == 302


def test_the_token_endpoint_shares_the_throttle_with_the_pages(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 4
    username = cast.a.advisor.username
    api = APIClient()
    for i in range(2):
        client.post(
            reverse("login"), {"username": username, "password": f"p{i}"}, REMOTE_ADDR=ATTACKER
        )
    assert (
        api.post(
            reverse("api-token"), {"username": username, "password": "t1"}, REMOTE_ADDR=ATTACKER
        ).status_code
        == 400
    )
    locked = api.post(
        reverse("api-token"), {"username": username, "password": "t2"}, REMOTE_ADDR=ATTACKER
    )
    assert locked.status_code == 429
    assert (
        AccessAttempt.objects.get(username=username, ip_address=ATTACKER).failures_since_start == 4
    )
    # The right password from another address gets a token.
    ok = api.post(
        reverse("api-token"), {"username": username, "password": TEST_PASSWORD}, REMOTE_ADDR=HOME
    )
    assert ok.status_code == 200 and ok.json()["token"]


def test_the_cool_off_ends_the_lock(client, cast, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.AXES_FAILURE_LIMIT = 2
    username = cast.a.advisor.username
    for _ in range(2):
        client.post(
            reverse("login"), {"username": username, "password": "no"}, REMOTE_ADDR=ATTACKER
        )
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = client.post(
        reverse("login"), {"username": username, "password": TEST_PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 302
