"""Content-Security-Policy and Permissions-Policy on every page (issue 9), with no inline script,
event handler or style that the policy would block; Swagger UI served from the pinned sidecar
package (no CDN); invitees' passwords compared to their own name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Invitation, User
from tests.routes import ROUTES
from tests.test_isolation import _url, world  # noqa: F401  (the fixture)

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.I)
# Rendered to PDF by WeasyPrint, never served to a browser.
PDF_TEMPLATES = {"lots/realized_gains_pdf.html", "transitions/proposals/pdf.html"}
# E-mail HTML (accounts/emails.py) is read in mail clients, never served by the portal: CSP does
# not apply to it, and mail clients drop <style> blocks, so its styles must be inline.
EMAIL_TEMPLATES = "emails/"


def _inline_problems(html: str) -> list[str]:
    found = []
    for name, pattern in (
        ("inline script", INLINE_SCRIPT),
        ("event handler", HANDLER),
        ("style attribute", STYLE_ATTR),
        ("style block", STYLE_BLOCK),
    ):
        found += [f"{name}: {m.group(0)[:80]}" for m in pattern.finditer(html)]
    return found


def _assert_headers(response) -> None:
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_no_template_needs_an_inline_script_or_style():
    root = Path(settings.BASE_DIR) / "templates"
    problems = []
    for path in root.rglob("*.html"):
        name = str(path.relative_to(root))
        if name in PDF_TEMPLATES or name.startswith(EMAIL_TEMPLATES):
            continue
        problems += [f"{name}: {p}" for p in _inline_problems(path.read_text())]
    assert problems == []


PAGES = [
    r
    for r in ROUTES
    if not r.is_api and r.readable and r.name not in ("job-status", "job-download")
]


@pytest.mark.parametrize("route", PAGES, ids=lambda r: r.name)
def test_every_page_has_the_policies_and_nothing_inline(client, world, route):  # noqa: F811
    if route.roles == ("client",):
        viewer = world.a.client_user
    else:
        viewer = world.a.admin if "firm_admin" in route.roles else world.a.advisor
    client.force_login(viewer)
    response = client.get(_url(route, world.a, "primary"))
    assert response.status_code in (200, 302), response.status_code
    _assert_headers(response)
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert _inline_problems(response.content.decode()) == []


@pytest.mark.parametrize("url", ["/login/", "/admin/login/", "/api/docs/", "/api/schema/"])
def test_public_pages_and_the_admin_have_the_policies(client, url):
    response = client.get(url)
    assert response.status_code == 200
    _assert_headers(response)
    if response["Content-Type"].startswith("text/html"):
        assert _inline_problems(response.content.decode()) == []


def test_swagger_ui_is_served_from_the_pinned_sidecar_without_a_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg" not in html
    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []  # nothing from elsewhere
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in a for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset  # same origin
        assert client.get(asset).status_code == 200, asset


def test_an_invitees_password_like_their_own_name_is_refused(client, cast):
    invitation = Invitation.objects.create(
        firm=cast.a.firm,
        invited_by=cast.a.admin,
        email="margaret.thatcher@example.com",
        first_name="Margaret",
        last_name="Thatcher",
    )
    url = reverse("invitation-accept", args=[invitation.token])
    for password in ("MargaretThatcher1", "thatcher2026!!", "margaret.thatcher@ex"):
        page = client.post(url, {"password1": password, "password2": password}).content.decode()
        assert "too similar" in page, password
    assert not User.objects.filter(email=invitation.email).exists()


def test_an_invitee_without_a_name_gives_it_and_it_counts(client, cast):
    invitation = Invitation.objects.create(
        firm=cast.a.firm, invited_by=cast.a.admin, email="x7@example.com"
    )
    url = reverse("invitation-accept", args=[invitation.token])
    page = client.post(
        url,
        {
            "first_name": "Bartholomew",
            "last_name": "Quigley",
            "password1": "Quigley-1234",
            "password2": "Quigley-1234",
        },
    ).content.decode()
    assert "too similar" in page
    ok = client.post(
        url,
        {
            "first_name": "Bartholomew",
            "last_name": "Quigley",
            "password1": "river-stone-lantern-9",
            "password2": "river-stone-lantern-9",
        },
    )
    assert ok.status_code == 302
    user = User.objects.get(email="x7@example.com")
    assert (user.first_name, user.last_name) == ("Bartholomew", "Quigley")
