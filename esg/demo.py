"""Demo ESG data: the standard exclusion categories (rules and a few hand additions) and the
customizations of some demo accounts. Idempotent: keyed by slug, rule, ticker and account.

The categories are a DEMO curation, by industry (GICS-like, from the security master) plus a
short list of names added by hand with a reason; they are not investment research.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from esg.models import (
    CategoryOverride,
    CategoryRule,
    CustomizationNote,
    ExclusionCategory,
    OverrideAction,
    RuleField,
)
from esg.services import (
    ConcentratedPositionInput,
    CustomizationInput,
    RestrictionInput,
    category_members_rebuild,
    customization_save,
)
from portfolios.models import Security

logger = logging.getLogger(__name__)

FOSSIL_FUEL_INDUSTRIES = (
    "Integrated Oil & Gas",
    "Oil & Gas Exploration & Production",
    "Oil & Gas Refining & Marketing",
    "Oil & Gas Storage & Transportation",
    "Oil & Gas Equipment & Services",
    "Coal & Consumable Fuels",
    "Metallurgical Coal",
)
NUCLEAR_REASON = "nuclear weapons systems or components, per public NGO lists (demo curation)"


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    description: str
    rules: tuple[tuple[str, str], ...] = ()
    hand_added: tuple[tuple[str, str], ...] = ()  # (ticker, reason)


STANDARD_CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "fossil-fuels",
        "Fossil fuels",
        "Companies that explore for, produce, refine, transport or service oil, gas and coal.",
        rules=tuple((RuleField.INDUSTRY, name) for name in FOSSIL_FUEL_INDUSTRIES),
    ),
    CategorySpec(
        "carbon-intensive",
        "Carbon-intensive industries",
        "The whole energy sector and the most emission-heavy industries (cement and "
        "construction materials, metals and mining, airlines, independent power producers). "
        "By industry, not by measured emissions: the master has no emissions data.",
        rules=(
            (RuleField.SECTOR, "Energy"),
            (RuleField.INDUSTRY, "Construction Materials"),
            (RuleField.INDUSTRY, "Metals & Mining"),
            (RuleField.INDUSTRY, "Metallurgical Coal"),
            (RuleField.INDUSTRY, "Passenger Airlines"),
            (RuleField.INDUSTRY, "Independent Power & Renewable Electricity Producers"),
        ),
    ),
    CategorySpec(
        "controversial-weapons",
        "Controversial weapons",
        "Makers of nuclear weapons systems or their key components (also cluster munitions, "
        "landmines, chemical and biological weapons where known). Curated by hand.",
        hand_added=tuple(
            (ticker, NUCLEAR_REASON)
            for ticker in ("BA", "GD", "HII", "HON", "LDOS", "LHX", "LMT", "NOC", "RTX")
        ),
    ),
    CategorySpec(
        "weapons-defense",
        "Weapons and defense",
        "The aerospace and defense industry as a whole.",
        rules=((RuleField.INDUSTRY, "Aerospace & Defense"),),
    ),
    CategorySpec(
        "civilian-firearms",
        "Civilian firearms",
        "Makers and specialist retailers of firearms and ammunition for civilian use. No member "
        "of the current security master qualifies; staff add names by hand.",
    ),
    CategorySpec(
        "tobacco",
        "Tobacco",
        "Cigarette, cigar and leaf tobacco companies.",
        rules=((RuleField.INDUSTRY, "Tobacco"),),
    ),
    CategorySpec(
        "alcohol",
        "Alcohol",
        "Brewers, distillers and vintners.",
        rules=((RuleField.INDUSTRY, "Brewers"), (RuleField.INDUSTRY, "Distillers & Vintners")),
    ),
    CategorySpec(
        "gambling",
        "Gambling",
        "Casino operators and gaming companies.",
        rules=((RuleField.INDUSTRY, "Casinos & Gaming"),),
    ),
    CategorySpec(
        "adult-entertainment",
        "Adult entertainment",
        "Producers and distributors of adult entertainment. No member of the current security "
        "master qualifies; staff add names by hand.",
    ),
    CategorySpec(
        "private-prisons",
        "Private prisons",
        "Operators of private prisons and immigration detention centers.",
        rules=((RuleField.INDUSTRY, "Private Prisons"),),
    ),
)


@transaction.atomic
def categories_seed(specs: tuple[CategorySpec, ...] = STANDARD_CATEGORIES) -> None:
    """Create missing categories, rules and hand additions; leave staff's own edits alone."""
    securities = {
        security.ticker: security
        for security in Security.objects.filter(
            firm__isnull=True, ticker__in=[t for s in specs for t, _ in s.hand_added]
        )
    }
    for spec in specs:
        category, created = ExclusionCategory.objects.get_or_create(
            slug=spec.slug, defaults={"name": spec.name, "description": spec.description}
        )
        for field, value in spec.rules:
            CategoryRule.objects.get_or_create(category=category, field=field, value=value)
        for ticker, reason in spec.hand_added:
            security = securities.get(ticker)
            if security is not None:
                CategoryOverride.objects.get_or_create(
                    category=category,
                    security=security,
                    defaults={"action": OverrideAction.INCLUDE, "reason": reason},
                )
    category_members_rebuild()


def demo_categories_seed(*, quick: bool) -> None:
    categories_seed()


# (firm slug, household, account name, strategy if the account has none yet) -> customization
DEMO_CUSTOMIZATIONS: tuple[tuple[str, str, str, str, CustomizationInput], ...] = (
    (
        "harbor-point",
        "The Morgan Household",
        "Joint brokerage",
        "di-large-cap",
        CustomizationInput(category_slugs=("controversial-weapons", "fossil-fuels", "tobacco")),
    ),
    (
        "harbor-point",
        "Riley Chen",
        "Individual",
        "core-equity",
        CustomizationInput(
            category_slugs=("gambling",),
            restrictions=(
                RestrictionInput(
                    scope="security", mode="do_not_hold", ticker="XOM", reason="Client request"
                ),
                RestrictionInput(
                    scope="industry",
                    mode="do_not_buy",
                    value="Tobacco",
                    reason="Client request",
                ),
            ),
            concentrated_positions=(
                ConcentratedPositionInput(ticker="AAPL", note="Employer stock, low basis"),
            ),
        ),
    ),
    (
        "summit-ridge",
        "The Novak Household",
        "Joint brokerage",
        "di-all-cap",
        CustomizationInput(category_slugs=("alcohol", "gambling", "private-prisons")),
    ),
)


def demo_customizations_seed(*, quick: bool) -> None:
    """Customize a few demo accounts (skipped where already customized or missing). An account
    without a strategy gets the one listed, so that its customized target can be shown."""
    from accounts.models import Account
    from accounts.services import account_update
    from portfolios.models import Strategy

    for firm_slug, household, account_name, slug, customization in DEMO_CUSTOMIZATIONS:
        account = (
            Account.objects.filter(firm__slug=firm_slug, client__name=household, name=account_name)
            .select_related("client__advisor", "strategy")
            .first()
        )
        if account is None or CustomizationNote.objects.filter(account=account).exists():
            continue
        advisor = account.client.advisor
        if account.strategy is None:
            strategy = Strategy.objects.filter(slug=slug, is_active=True).first()
            if strategy is not None:
                account = account_update(account=account, actor=advisor, strategy=strategy)
        try:
            customization_save(account=account, actor=account.client.advisor, data=customization)
        except ValidationError as error:  # a demo strategy that cannot take it: leave as is
            logger.warning("demo customization of %s skipped: %s", account, error.messages)
