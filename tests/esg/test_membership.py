"""Category membership: rules, hand overrides with reasons, history, the set-based rebuild."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from esg import selectors, services
from esg.models import (
    CategoryMember,
    CategoryOverride,
    CategoryRule,
    ExclusionCategory,
    MemberSource,
    OverrideAction,
    RuleField,
)
from portfolios.models import Security
from tests.factories import FirmFactory


def _members(category) -> dict[str, str]:
    return {m.security.ticker: m.reason for m in selectors.category_members(category=category)}


def test_rules_give_members_with_their_reason(esg_world):
    assert _members(esg_world.categories["tobacco"]) == {
        "MO": "industry is Tobacco",
        "PM": "industry is Tobacco",
    }
    assert set(_members(esg_world.categories["fossil-fuels"])) == {"XOM", "CVX", "COP", "SLB"}


def test_sector_rule_and_two_matching_rules_give_both_reasons(esg_world):
    category = esg_world.categories["fossil-fuels"]
    services.category_rule_add(category=category, field=RuleField.SECTOR, value="energy")
    assert _members(category)["XOM"] == "industry is Integrated Oil & Gas; sector is Energy"
    rule = CategoryRule.objects.get(category=category, field=RuleField.SECTOR)
    assert rule.value == "Energy"  # canonical spelling
    services.category_rule_remove(rule=rule)
    assert _members(category)["XOM"] == "industry is Integrated Oil & Gas"


def test_unknown_rule_value_is_refused_with_a_suggestion(esg_world):
    with pytest.raises(ValidationError) as caught:
        services.category_rule_add(
            category=esg_world.categories["tobacco"], field=RuleField.INDUSTRY, value="Tobaco"
        )
    assert "No industry called “Tobaco”. Did you mean Tobacco?" in caught.value.messages


def test_overrides_add_and_remove_names_by_hand_with_a_reason(esg_world, cast):
    weapons = esg_world.categories["weapons"]
    services.category_override_add(
        category=weapons,
        security=esg_world.securities["GD"],
        action=OverrideAction.EXCLUDE,
        reason="mostly shipbuilding",
        actor=cast.a.admin,
    )
    services.category_override_add(
        category=weapons,
        security=esg_world.securities["CAT"],
        action=OverrideAction.INCLUDE,
        reason="military vehicles",
    )
    members = _members(weapons)
    assert "GD" not in members
    assert members["CAT"] == "added by hand: military vehicles"
    assert CategoryMember.objects.get(category=weapons, security__ticker="CAT").source == (
        MemberSource.MANUAL
    )
    # A hand addition of a name the rules already hold keeps both reasons.
    services.category_override_add(
        category=weapons,
        security=esg_world.securities["LMT"],
        action=OverrideAction.INCLUDE,
        reason="prime contractor",
    )
    assert _members(weapons)["LMT"] == (
        "industry is Aerospace & Defense; added by hand: prime contractor"
    )
    override = CategoryOverride.objects.get(category=weapons, security__ticker="GD")
    services.category_override_remove(override=override, reason="back by rule")
    assert _members(weapons)["GD"] == "industry is Aerospace & Defense"


def test_override_needs_a_reason_in_the_service_and_in_the_database(esg_world):
    tobacco = esg_world.categories["tobacco"]
    with pytest.raises(ValidationError) as caught:
        services.category_override_add(
            category=tobacco, security=esg_world.securities["KO"], action="include", reason=" "
        )
    assert "reason" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryOverride.objects.create(
            category=tobacco, security=esg_world.securities["KO"], action="include", reason=""
        )


def test_every_change_is_in_the_history(esg_world, django_user_model):
    staff = django_user_model.objects.create_user("curator", is_staff=True)
    tobacco = esg_world.categories["tobacco"]
    tobacco.description = "Cigarettes"
    tobacco._history_user = staff
    tobacco.save()
    rule = services.category_rule_add(
        category=tobacco, field=RuleField.INDUSTRY, value="Brewers", actor=staff
    )
    override = services.category_override_add(
        category=tobacco,
        security=esg_world.securities["KO"],
        action="include",
        reason="test listing",
        actor=staff,
    )
    services.category_override_remove(override=override, actor=staff, reason="listed by mistake")
    services.category_rule_remove(rule=rule, actor=staff)
    entries = selectors.category_history(category=tobacco)
    kinds = [(e["what"], e["action"], e["who"]) for e in entries]
    assert ("ExclusionCategory", "changed", staff.display_name) in kinds
    assert ("CategoryRule", "created", staff.display_name) in kinds
    assert ("CategoryRule", "deleted", staff.display_name) in kinds
    assert ("CategoryOverride", "created", staff.display_name) in kinds
    deleted = [e for e in entries if e["what"] == "CategoryOverride" and e["action"] == "deleted"]
    assert deleted[0]["reason"] == "listed by mistake"
    assert "KO" in deleted[0]["object"] and "test listing" in deleted[0]["object"]


def test_firm_legacy_securities_never_join_a_global_list(esg_world):
    firm = FirmFactory(slug="legacy-firm")
    Security.objects.create(
        ticker="OLDTOB",
        name="Old Tobacco Fund",
        sector="Consumer Staples",
        industry="Tobacco",
        firm=firm,
    )
    services.category_members_rebuild()
    assert "OLDTOB" not in _members(esg_world.categories["tobacco"])


def test_rebuild_of_1100_names_matches_an_independent_count(db):
    """1,100 securities over 40 industries in 4 sectors; 10 categories of rules and
    overrides: the members equal a direct set computation, and a second rebuild is a no-op."""
    industries = [f"Industry {i:02d}" for i in range(40)]
    sectors = ["Energy", "Utilities", "Materials", "Financials"]
    Security.objects.bulk_create(
        Security(
            ticker=f"T{n:04d}",
            name=f"Company {n}",
            industry=industries[n % 40],
            sector=sectors[n % 4],
        )
        for n in range(1100)
    )
    securities = list(Security.objects.values_list("pk", "ticker", "industry", "sector"))
    by_ticker = {ticker: pk for pk, ticker, _, _ in securities}
    expected: dict[str, set[int]] = {}
    for c in range(10):
        category = ExclusionCategory.objects.create(slug=f"c{c}", name=f"C{c}")
        wanted_industries = {industries[c], industries[c + 10]}
        for industry in wanted_industries:
            category.rules.create(field=RuleField.INDUSTRY, value=industry)
        if c == 0:
            category.rules.create(field=RuleField.SECTOR, value="Utilities")
        members = {
            pk
            for pk, _, industry, sector in securities
            if industry in wanted_industries or (c == 0 and sector == "Utilities")
        }
        removed, added = f"T{c:04d}", f"T{c + 1:04d}"  # T000c is in industry c: a rule member
        category.overrides.create(
            security_id=by_ticker[removed], action="exclude", reason="not really"
        )
        category.overrides.create(security_id=by_ticker[added], action="include", reason="too")
        expected[f"c{c}"] = (members - {by_ticker[removed]}) | {by_ticker[added]}
    report = services.category_members_rebuild()
    assert report.members == sum(len(ids) for ids in expected.values())
    for slug, ids in expected.items():
        got = set(
            CategoryMember.objects.filter(category__slug=slug).values_list("security_id", flat=True)
        )
        assert got == ids, slug
    again = services.category_members_rebuild()
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
