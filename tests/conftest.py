"""One cast for every test: firm A (admin, two advisors, their clients and accounts, a client
login) and firm B (the same shape). Celery runs eagerly unless a test asks for a real worker."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

# Django imports stay inside the fixtures, so that the engine's tests also run without Django:
# `pytest -p no:django tests/engine`.

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop + live_server

pytest_plugins = ["tests.fixtures_reference"]


@dataclass
class FirmCast:
    firm: object
    admin: object
    advisor: object
    other_advisor: object
    client: object  # the advisor's household
    other_client: object  # the other advisor's household
    account: object
    ira: object
    other_account: object
    client_user: object


def _firm_cast(slug: str) -> FirmCast:
    from accounts.models import Role
    from tests.factories import AccountFactory, ClientFactory, FirmFactory, UserFactory

    firm = FirmFactory(slug=slug, name=f"{slug.title()} Advisors")
    admin = UserFactory(firm=firm, role=Role.FIRM_ADMIN, username=f"{slug}-admin")
    advisor = UserFactory(firm=firm, role=Role.ADVISOR, username=f"{slug}-advisor")
    other_advisor = UserFactory(firm=firm, role=Role.ADVISOR, username=f"{slug}-advisor2")
    client = ClientFactory(advisor=advisor, name=f"{slug} Household One")
    other_client = ClientFactory(advisor=other_advisor, name=f"{slug} Household Two")
    account = AccountFactory(client=client, name=f"{slug} brokerage")
    ira = AccountFactory(client=client, name=f"{slug} IRA", account_type="traditional_ira")
    other_account = AccountFactory(client=other_client, name=f"{slug} other brokerage")
    client_user = UserFactory(firm=firm, role=Role.CLIENT, client=client, username=f"{slug}-client")
    return FirmCast(
        firm,
        admin,
        advisor,
        other_advisor,
        client,
        other_client,
        account,
        ira,
        other_account,
        client_user,
    )


@pytest.fixture(autouse=True)
def _fast_password_hasher(request):
    """Real hashing costs ~0.3 s a login; tests create dozens."""
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")  # pytest-django restores it afterwards
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db):
    return SimpleNamespace(a=_firm_cast("alpha"), b=_firm_cast("bravo"))


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Eager Celery for every test except those marked `celery_worker` with a broker set."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield  # engine tests without Django
        return
    from django.conf import settings

    from pma_portal.celery import app

    wants_worker = request.node.get_closest_marker("celery_worker") is not None
    eager = not (wants_worker and settings.CELERY_BROKER_URL)
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def celery_worker_or_eager(request, transactional_db):
    """A real Celery worker (in a thread, over the configured broker) when CELERY_BROKER_URL is
    set; eager mode otherwise. Uses a queue of its own so stale messages never reach it."""
    from django.conf import settings

    from pma_portal.celery import app

    if not settings.CELERY_BROKER_URL:
        yield SimpleNamespace(real=False)
        return
    from celery.contrib.testing.worker import start_worker

    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        queues=[queue],
        perform_ping_check=False,
        shutdown_timeout=30,
    ):
        yield SimpleNamespace(real=True, queue=queue)
    app.conf.task_default_queue = "celery"


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium through Playwright; no downloaded browsers."""
    executable = "/usr/bin/chromium"
    if not os.path.exists(executable):
        pytest.fail("Debian's chromium is missing: apt-get install chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def browser_login(page, username: str, password: str | None = None) -> None:
    from tests.factories import TEST_PASSWORD

    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or TEST_PASSWORD)
    page.click("button[type=submit]")
