"""Curation effects (issue 9): a curation change recomputes the targets of the accounts that
exclude the category, through the refresh job, and each recomputation is recorded with why.
Platform staff read them across firms in the admin; the account page says it in plain words.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from esg import services
from esg.models import CustomizedTarget, RecomputeCause, TargetRecomputation
from esg.services import CustomizationInput as Custom
from jobs.models import Job, JobStatus
from jobs.tasks import job_execute
from tests.esg.conftest import account_with_strategy


def _customize(account, actor, strategy):
    account = account_with_strategy(account, strategy)
    services.customization_save(
        account=account, actor=actor, data=Custom(category_slugs=("weapons",))
    )
    return account


@pytest.fixture
def two_firms(cast, esg_world):
    """An account in each firm excluding the weapons category, on the DI strategy."""
    strategy = esg_world.strategies["esg-di"]
    a = _customize(cast.a.account, cast.a.advisor, strategy)
    b = _customize(cast.b.account, cast.b.advisor, strategy)
    return a, b


@pytest.fixture
def staff(django_user_model):
    from tests.factories import TEST_PASSWORD

    return django_user_model.objects.create_user(
        "curator", password=TEST_PASSWORD, is_staff=True, is_superuser=True
    )


@pytest.fixture
def curated(two_firms, esg_world, staff, django_capture_on_commit_callbacks):
    """Staff add CAT (held by the DI strategy, not a weapons name) to the weapons category by
    hand; the refresh job runs when the change commits."""
    with django_capture_on_commit_callbacks(execute=True):
        services.category_override_add(
            category=esg_world.categories["weapons"],
            security=esg_world.securities["CAT"],
            action="include",
            reason="military vehicles",
            actor=staff,
        )
    return two_firms


def _held(account) -> set[int]:
    target = CustomizedTarget.objects.get(account=account)
    return {int(security_id) for security_id, _ in target.weights}


def test_a_saved_customization_is_recorded_as_the_first_recomputation(two_firms, cast):
    a, _ = two_firms
    (row,) = TargetRecomputation.objects.filter(account=a)
    assert row.cause_kind == RecomputeCause.CUSTOMIZATION
    assert row.cause == f"Customization saved by {cast.a.advisor.display_name}"
    assert row.tracking_error_before is None and row.job is None


def test_a_curation_change_records_the_change_and_each_account_through_the_job(curated, esg_world):
    a, b = curated
    cat = esg_world.securities["CAT"]
    job = Job.objects.get(kind="customized_targets_refresh")
    assert job.status == JobStatus.DONE, job.error
    assert sorted(job.params["account_ids"]) == sorted([a.pk, b.pk])
    event = AuditEvent.objects.get(kind="esg_curation", firm=None)
    assert "Added CAT to Weapons by hand" in event.summary

    for account in (a, b):
        row = TargetRecomputation.objects.get(account=account, cause_kind="curation")
        assert row.cause == "Category Weapons: CAT added by platform staff"
        assert (row.audit_event, row.job, row.category) == (
            event,
            job,
            esg_world.categories["weapons"],
        )
        assert row.firm_id == account.firm_id
        # CAT was in the target (the DI strategy holds it) and is now excluded.
        assert row.names_removed == ["CAT"] and row.names_added == []
        assert cat.pk not in _held(account)
        first = TargetRecomputation.objects.get(account=account, cause_kind="customization")
        assert row.tracking_error_before == pytest.approx(first.tracking_error_after)
        stored = CustomizedTarget.objects.get(account=account)
        assert row.tracking_error_after == pytest.approx(stored.tracking_error)
        # One name more out of the strategy cannot bring the target closer to it.
        assert row.tracking_error_after >= row.tracking_error_before - 1e-9


def test_a_retried_job_makes_no_second_record(curated):
    a, b = curated
    job = Job.objects.get(kind="customized_targets_refresh")
    before = TargetRecomputation.objects.count()
    # A second delivery after the lease ran out (the first worker "died" after its work).
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    job_execute.apply(args=[str(job.public_id)])
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE
    assert TargetRecomputation.objects.count() == before
    # Even a retry that finds a target to recompute again keeps one record per account.
    CustomizedTarget.objects.filter(account=a).update(inputs_hash="")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    job_execute.apply(args=[str(job.public_id)])
    assert TargetRecomputation.objects.filter(job=job, account=a).count() == 1
    assert TargetRecomputation.objects.count() == before


def test_staff_see_a_curation_change_with_the_accounts_of_both_firms(client, curated, staff):
    a, b = curated
    event = AuditEvent.objects.get(kind="esg_curation", firm=None)
    client.force_login(staff)
    html = client.get(reverse("admin:esg_curationchange_change", args=[event.pk])).content
    html = html.decode()
    for account in (a, b):
        assert account.name in html and account.client.name in html
        assert account.firm.name in html
    listing = client.get(reverse("admin:esg_targetrecomputation_changelist")).content.decode()
    assert a.name in listing and b.name in listing
    assert "Category Weapons: CAT added by platform staff" in listing
    changes = client.get(reverse("admin:esg_curationchange_changelist")).content.decode()
    assert "Added CAT to Weapons by hand" in changes


def test_firm_users_do_not_reach_the_staff_views(client, curated, cast):
    event = AuditEvent.objects.get(kind="esg_curation", firm=None)
    urls = [
        reverse("admin:esg_curationchange_change", args=[event.pk]),
        reverse("admin:esg_targetrecomputation_changelist"),
    ]
    for user in (cast.a.admin, cast.a.advisor):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, (user, url)
            assert response["Location"].startswith(reverse("admin:login"))


def test_an_advisor_sees_only_the_recomputations_of_their_own_accounts(curated, cast):
    a, b = curated
    visible = TargetRecomputation.objects.visible_to(cast.a.advisor)
    assert set(visible.values_list("account_id", flat=True)) == {a.pk}
    assert not TargetRecomputation.objects.visible_to(cast.a.other_advisor).exists()
    assert set(
        TargetRecomputation.objects.visible_to(cast.b.admin).values_list("account_id", flat=True)
    ) == {b.pk}


def test_the_account_page_says_when_and_why_the_target_was_recomputed(client, curated, cast):
    a, b = curated
    when = timezone.localtime(
        TargetRecomputation.objects.get(account=a, cause_kind="curation").created_at
    )
    expected = (
        f"Target recomputed on {when:%b} {when.day}, {when.year}: "
        "Category Weapons: CAT added by platform staff."
    )
    client.force_login(cast.a.advisor)
    html = client.get(reverse("account-detail", kwargs={"public_id": a.public_id})).content
    html = " ".join(html.decode().split())
    assert expected in html and "No longer held: CAT." in html
    assert "Tracking error to the strategy" in html
    assert client.get(reverse("account-detail", kwargs={"public_id": b.public_id})).status_code == (
        404
    )

    client.force_login(cast.a.client_user)  # the client reads the same reason, in plain words
    html = client.get(reverse("account-detail", kwargs={"public_id": a.public_id})).content
    html = " ".join(html.decode().split())
    assert expected in html and "Tracking error to the strategy" not in html


def test_a_new_strategy_version_is_recorded_as_its_own_cause(
    two_firms, esg_world, django_capture_on_commit_callbacks
):
    from datetime import date

    from portfolios import services as portfolio_services

    a, _ = two_firms
    strategy = esg_world.strategies["esg-di"]
    weights = {w.security: w.weight for w in strategy.versions.get().weights.all()}
    with django_capture_on_commit_callbacks(execute=True):
        portfolio_services.strategy_version_create(
            strategy=strategy, weights=weights, effective_date=date(2025, 6, 1)
        )
    row = TargetRecomputation.objects.filter(account=a).first()
    assert row.cause_kind == RecomputeCause.STRATEGY_VERSION
    assert row.cause == f"New strategy version: {strategy.name} version 2"


def test_a_curation_saved_in_the_admin_is_recorded_with_its_effects(
    client, two_firms, esg_world, staff, django_capture_on_commit_callbacks
):
    a, b = two_firms
    weapons, cat = esg_world.categories["weapons"], esg_world.securities["CAT"]
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:esg_categoryoverride_add"),
            {
                "category": weapons.pk,
                "security": cat.pk,
                "action": "include",
                "reason": "military vehicles",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(kind="esg_curation", firm=None)
    assert event.summary == "Category Weapons: CAT added by platform staff"
    assert event.actor == staff
    rows = TargetRecomputation.objects.filter(audit_event=event)
    assert sorted(rows.values_list("account_id", flat=True)) == sorted([a.pk, b.pk])
    assert all(row.names_removed == ["CAT"] for row in rows)


def test_a_name_taken_out_of_a_category_comes_back_into_the_target(
    two_firms, esg_world, staff, django_capture_on_commit_callbacks
):
    a, _ = two_firms
    gd = esg_world.securities["GD"]  # a weapons member by its industry, held by the strategy
    assert gd.pk not in _held(a)
    with django_capture_on_commit_callbacks(execute=True):
        services.category_override_add(
            category=esg_world.categories["weapons"],
            security=gd,
            action="exclude",
            reason="shipbuilder",
            actor=staff,
        )
    row = TargetRecomputation.objects.get(account=a, cause_kind="curation")
    assert row.cause == "Category Weapons: GD removed by platform staff"
    assert (row.names_added, row.names_removed) == (["GD"], [])
    assert gd.pk in _held(a)


def test_staff_read_one_recomputation_with_its_tracking_errors_in_percent(client, curated, staff):
    a, _ = curated
    row = TargetRecomputation.objects.get(account=a, cause_kind="curation")
    client.force_login(staff)
    html = client.get(reverse("admin:esg_targetrecomputation_change", args=[row.pk])).content
    html = html.decode()
    assert f"{100 * row.tracking_error_before:.2f}%" in html
    assert f"{100 * row.tracking_error_after:.2f}%" in html
    assert "Category Weapons: CAT added by platform staff" in html


def test_a_long_list_of_names_reads_as_a_sentence():
    from esg.templatetags.esg import names_brief

    names = [f"T{n:03d}" for n in range(400)]
    assert names_brief(names) == "T000, T001, T002, T003, T004, T005, T006, T007 and 392 more"
    assert names_brief(["MO", "PM"]) == "MO, PM"
    assert names_brief([]) == ""


def test_each_firms_trail_records_the_curation_that_recomputed_its_accounts(curated, cast):
    """Books and records: a firm admin's audit trail says that platform curation changed the
    target of each of the firm's accounts, and only of the firm's own."""
    a, b = curated
    for firm_cast, account, other in ((cast.a, a, b), (cast.b, b, a)):
        events = AuditEvent.objects.visible_to(firm_cast.admin).filter(kind="esg_curation")
        (event,) = events
        assert event.account == account
        assert event.summary == (
            f"Customized target of {account.name} recomputed after platform curation: "
            "Category Weapons: CAT added by platform staff"
        )
        assert not events.filter(account=other).exists()
