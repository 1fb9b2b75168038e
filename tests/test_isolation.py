"""Generated isolation tests: every route of tests/routes.py, as every kind of outsider.

- anonymous: pages redirect to the login, the API answers 401;
- a user of another firm: 404 for any object of the first firm; collections show nothing of it;
- an advisor of the same firm without access: 404 for the other advisor's households;
- a client login: 404 for other households, 403 for advisor pages, 403 for any write;
- refused writes change nothing (a fingerprint of every row is compared).
"""

from __future__ import annotations

import hashlib

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import reverse

from accounts.models import Invitation
from jobs.models import Job
from tests.routes import ROUTES, Route

OUR_APPS = ("accounts", "portfolios", "esg", "transitions", "jobs")
NOT_FINGERPRINTED = {"accounts.loginfailure"}


def database_fingerprint(firm=None) -> str:
    """A hash of every row of our apps; with `firm`, of that firm's rows and shared rows."""
    digest = hashlib.sha256()
    for app_label in OUR_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label_lower in NOT_FINGERPRINTED:
                continue
            rows = model._default_manager.order_by("pk")
            if firm is not None and any(f.name == "firm" for f in model._meta.fields):
                rows = rows.filter(firm=firm)
            digest.update(serializers.serialize("json", rows).encode())
    return digest.hexdigest()


@pytest.fixture
def world(cast):
    """The cast plus a job per advisor, so job routes have objects too."""
    for firm_cast in (cast.a, cast.b):
        jobs = {
            "primary": Job.objects.create(
                firm=firm_cast.firm, created_by=firm_cast.advisor, kind="noop", title="Job one"
            ),
            "secondary": Job.objects.create(
                firm=firm_cast.firm,
                created_by=firm_cast.other_advisor,
                kind="noop",
                title="Job two",
            ),
        }
        firm_cast.job = jobs.__getitem__
        firm_cast.invitation = Invitation.objects.create(
            firm=firm_cast.firm, invited_by=firm_cast.admin, email=f"new@{firm_cast.firm.slug}.test"
        )
    return cast


def _url(route: Route, firm_cast, side: str) -> str:
    kwargs = route.kwargs(firm_cast, side) if route.kwargs else {}
    return reverse(route.name, kwargs=kwargs)


def _send(client, method: str, url: str, route: Route):
    if route.is_api:
        return getattr(client, method)(url, data=route.payload, content_type="application/json")
    return getattr(client, method)(url, data=route.payload)


def _firm_a_markers(cast) -> list[str]:
    a = cast.a
    markers = ["alpha"]
    for obj in (
        a.client,
        a.other_client,
        a.account,
        a.ira,
        a.other_account,
        a.advisor,
        a.other_advisor,
        a.admin,
        a.firm,
    ):
        markers.append(str(obj.public_id))
    return markers


ROUTE_IDS = [route.name for route in ROUTES]


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_anonymous_is_sent_to_sign_in(client, world, route):
    url = _url(route, world.a, "primary")
    before = database_fingerprint()
    for method in ("get", *route.write_methods):
        response = _send(client, method, url, route)
        if route.is_api:
            assert response.status_code == 401, (method, url, response.status_code)
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith(reverse("login")), response["Location"]
    assert database_fingerprint() == before


@pytest.mark.parametrize("viewer", ["admin", "advisor", "client_user"])
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_other_firm_sees_nothing(client, world, route, viewer):
    user = getattr(world.b, viewer)
    client.force_login(user)
    url = _url(route, world.a, "primary")  # before the fingerprint: it may create shared rows
    before = database_fingerprint(firm=world.a.firm)
    response = _send(client, "get", url, route)
    if not route.readable:
        assert response.status_code in {403, 405}, (url, response.status_code)
    elif route.kwargs is not None and not route.is_reference:
        expected = {404} if user.role in route.roles else {403, 404}
        assert response.status_code in expected, (url, response.status_code)
    else:
        assert response.status_code in {200, 302, 403, 405}, (url, response.status_code)
        body = response.content.decode(errors="replace").lower()
        leaked = [marker for marker in _firm_a_markers(world) if marker.lower() in body]
        assert leaked == [], f"{url} shows firm A to firm B: {leaked}"
    for method in route.write_methods:
        response = _send(client, method, url, route)
        assert response.status_code in {302, 400, 403, 404, 405} or (
            route.kwargs is None and response.status_code in {200, 201}
        ), (method, url, response.status_code)
        body = response.content.decode(errors="replace").lower()
        assert "alpha" not in body
    assert database_fingerprint(firm=world.a.firm) == before


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kwargs is not None], ids=lambda r: r.name)
def test_advisor_without_access_in_same_firm_gets_404(client, world, route):
    """The second advisor asks for the first advisor's objects."""
    client.force_login(world.a.other_advisor)
    url = _url(route, world.a, "primary")
    before = database_fingerprint()
    expected = {404} if "advisor" in route.roles else {403, 404}
    for method in ("get", *route.write_methods):
        response = _send(client, method, url, route)
        # 405: the method does not exist on this route (read-only API, no delete): no leak.
        allowed = expected | ({405} if method != "get" or not route.readable else set())
        if route.is_reference:  # shared data: everyone may read it, nobody may change it
            allowed = {200} if method == "get" and "advisor" in route.roles else {403, 405}
        assert response.status_code in allowed, (method, url, response.status_code)
    assert database_fingerprint() == before


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_client_login_reads_only_its_household(client, world, route):
    client.force_login(world.a.client_user)
    own = _url(route, world.a, "primary")
    other = _url(route, world.a, "secondary") if route.kwargs is not None else own
    before = database_fingerprint()
    if route.kwargs is not None:
        response = _send(client, "get", other, route)
        expected = {404} if "client" in route.roles else {403, 404, 405}
        if route.is_reference and "client" in route.roles:
            expected = {200}
        assert response.status_code in expected, (other, response.status_code)
    response = _send(client, "get", own, route)
    if "client" not in route.roles:
        assert response.status_code in {403, 404, 405}, (own, response.status_code)
    for method in route.write_methods:
        for url in {own, _url(route, world.a, "secondary")}:
            response = _send(client, method, url, route)
            assert response.status_code in {403, 404, 405}, (method, url, response.status_code)
    assert database_fingerprint() == before


def test_admin_site_is_for_platform_staff_only(client, cast):
    for user in (cast.a.admin, cast.a.advisor, cast.a.client_user):
        client.force_login(user)
        for url in (
            reverse("admin:index"),
            reverse("admin:accounts_client_changelist"),
            reverse("admin:accounts_client_change", args=[cast.a.client.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 302, (user, url)
            assert response["Location"].startswith(reverse("admin:login"))


def test_platform_staff_have_no_portal(client, cast, django_user_model):
    staff = django_user_model.objects.create_user(
        "staffer", password="x-long-enough-password", is_staff=True
    )
    client.force_login(staff)
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("api-client-list")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 200
