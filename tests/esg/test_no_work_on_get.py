"""A GET never writes and never solves: the account, customization and target pages and the
API show the stored target, marked stale with the reason once an input changed; a POST (or the
refresh job) recomputes it."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from esg import selectors, services
from esg.models import CustomizedTarget
from esg.services import CustomizationInput as Custom
from esg.services import RestrictionInput as Rule
from jobs.models import Job
from portfolios import services as portfolio_services
from tests.esg.conftest import account_with_strategy
from tests.test_isolation import database_fingerprint


class SolveCalled(AssertionError):
    pass


@pytest.fixture
def saved(cast, esg_world):
    account = account_with_strategy(cast.a.account, esg_world.strategies["esg-di"])
    services.customization_save(
        account=account,
        actor=cast.a.advisor,
        data=Custom(
            category_slugs=("weapons",),
            restrictions=(Rule(scope="security", mode="do_not_hold", ticker="XOM"),),
        ),
    )
    assert CustomizedTarget.objects.filter(account=account).count() == 1
    return account


@pytest.fixture
def no_solve(monkeypatch):
    """Any optimizer run fails the test."""
    from pma_engine import target as engine_target

    def refuse(*args, **kwargs):
        raise SolveCalled("the optimizer ran")

    monkeypatch.setattr(engine_target._TargetProblem, "target_solve", refuse)
    monkeypatch.setattr(engine_target, "exclusion_costs", refuse)
    monkeypatch.setattr("esg.services.target.exclusion_costs", refuse)


def _get_urls(account):
    return [
        reverse("account-detail", kwargs={"public_id": account.public_id}),
        reverse("esg-account-customize", kwargs={"public_id": account.public_id}),
        reverse("esg-account-target", kwargs={"public_id": account.public_id}),
    ], [
        reverse("api-customization-list"),
        reverse("api-customization-detail", kwargs={"public_id": account.public_id}),
        reverse("api-customization-target", kwargs={"public_id": account.public_id}),
    ]


def _signed_in(user):
    """A page client and an API client for `user` (signing in writes last_login: do it first)."""
    from django.test import Client

    page = Client()
    page.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    return page, api


def _read_everything(page, api, account) -> dict:
    pages, api_urls = _get_urls(account)
    bodies = {}
    for url in pages:
        response = page.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    for url in api_urls:
        response = api.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.json()
    return bodies


def test_get_leaves_the_database_unchanged_and_never_solves(cast, saved, no_solve):
    page, api = _signed_in(cast.a.advisor)
    before = database_fingerprint()
    bodies = _read_everything(page, api, saved)
    assert database_fingerprint() == before
    _, api_urls = _get_urls(saved)
    target = bodies[api_urls[2]]
    assert target["stale"] is False and target["stale_reasons"] == []
    stored = CustomizedTarget.objects.get(account=saved)
    assert target["target"]["tracking_error"] == stored.tracking_error  # the stored figure


def test_a_new_risk_model_marks_the_target_stale_and_a_post_recomputes(cast, saved, esg_world):
    stored = CustomizedTarget.objects.get(account=saved)
    newer = dataclasses.replace(esg_world.model, as_of=esg_world.model.as_of + timedelta(days=1))
    row = portfolio_services.risk_model_store(model=newer, is_synthetic=True)

    state = selectors.customized_target_state(account=saved)
    assert state.target.pk == stored.pk and state.is_stale
    assert state.stale_reasons == ("a newer risk model has been built",)

    page, api = _signed_in(cast.a.advisor)
    url = reverse("api-customization-target", kwargs={"public_id": saved.public_id})
    before = database_fingerprint()
    body = api.get(url).json()
    assert database_fingerprint() == before
    assert body["stale"] is True and body["stale_reasons"] == ["a newer risk model has been built"]

    target_url = reverse("esg-account-target", kwargs={"public_id": saved.public_id})
    html = page.get(target_url).content.decode()
    assert "data-stale" in html and "a newer risk model has been built" in html.lower()

    response = page.post(target_url)
    assert response.status_code == 302
    recomputed = CustomizedTarget.objects.get(account=saved)
    assert recomputed.risk_model_id == row.pk and recomputed.computed_at > stored.computed_at
    assert not selectors.customized_target_state(account=saved).is_stale
    assert "data-stale" not in page.get(target_url).content.decode()


def test_a_client_login_may_read_but_not_recompute(cast, saved):
    page, _ = _signed_in(cast.a.client_user)
    url = reverse("esg-account-target", kwargs={"public_id": saved.public_id})
    before = database_fingerprint()
    assert page.get(url).status_code == 200
    assert page.post(url).status_code == 403
    assert database_fingerprint() == before


def test_category_members_and_a_new_version_give_their_own_reasons(cast, saved, esg_world):
    # Staff take GD out of the weapons category: the exclusions changed.
    services.category_override_add(
        category=esg_world.categories["weapons"],
        security=esg_world.securities["GD"],
        action="exclude",
        reason="shipbuilder",
    )
    state = selectors.customized_target_state(account=saved)
    assert state.is_stale and len(state.stale_reasons) == 1
    assert state.stale_reasons[0].startswith("the names the customization excludes changed")
    # ... and one job is queued to bring the target up to date.
    job = Job.objects.get(kind="customized_targets_refresh")
    assert job.params["account_ids"] == [saved.pk]
    counts = services.customized_targets_refresh(account_ids=job.params["account_ids"])
    assert counts == {"recomputed": 1, "current": 0, "without_target": 0}
    assert not selectors.customized_target_state(account=saved).is_stale

    # A new strategy version in force today: the target belongs to the old one.
    strategy = esg_world.strategies["esg-di"]
    old_weights = {w.security: w.weight for w in strategy.versions.get().weights.all()}
    portfolio_services.strategy_version_create(
        strategy=strategy, weights=old_weights, effective_date=date(2025, 6, 1)
    )
    state = selectors.customized_target_state(account=saved)
    assert state.is_stale
    assert state.stale_reasons[0] == "the strategy has a new version"
    assert Job.objects.filter(kind="customized_targets_refresh").count() == 2
    assert services.customized_targets_refresh(account_ids=[saved.pk])["recomputed"] == 1
    assert CustomizedTarget.objects.filter(account=saved).count() == 2  # one per version
    assert not selectors.customized_target_state(account=saved).is_stale


def test_the_contract_reader_gives_the_stored_weights_by_security_id(saved, no_solve):
    weights = selectors.customized_target_weights(account=saved)
    stored = CustomizedTarget.objects.get(account=saved)
    assert weights == {int(i): float(w) for i, w in stored.weights}
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-6)


def test_exclusions_are_keyed_by_id_so_renaming_a_category_changes_nothing(saved, esg_world):
    weapons = esg_world.categories["weapons"]
    weapons.name = "Controversial weapons and defense"
    weapons.save(update_fields=["name"])
    state = selectors.customized_target_state(account=saved)
    assert state.target is not None and not state.is_stale
    prepared = selectors.target_prepare(
        account=saved, resolved=selectors.customization_stored(account=saved), as_of=date.today()
    )
    keys = [setting.key for setting in prepared.settings]
    assert keys[0] == f"category:{weapons.pk}"
    assert keys[1] == f"restriction:security:{esg_world.securities['XOM'].pk}:"


def test_categories_saved_in_any_order_leave_the_target_current(cast, esg_world):
    """The exclusions digest is by key: categories chosen in an order other than the one the
    stored customization reads them back in (by name) are the same target, not a stale one."""
    account = account_with_strategy(cast.a.account, esg_world.strategies["esg-di"])
    services.customization_save(
        account=account,
        actor=cast.a.advisor,
        data=Custom(category_slugs=("tobacco", "fossil-fuels")),  # by name: Fossil…, Tobacco
    )
    state = selectors.customized_target_state(account=account)
    assert state.target is not None
    assert state.stale_reasons == ()
