"""Writes of an account's customization (advisors): resolve what was entered (every row
checked, errors naming the row), preview its effect, save it with its target in one
transaction, or clear it. Which settings are refused, merged or accepted: docs/esg.md
("Validation"); the pure rules are in pma_engine.customization."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from esg.models import (
    AccountExclusion,
    ConcentratedPosition,
    CustomizationNote,
    CustomizedTarget,
    ExclusionCategory,
    RecomputeCause,
    Restriction,
    RestrictionMode,
    RestrictionScope,
)
from esg.services.curation import _known_values, history_user_set
from esg.services.target import customized_target_compute, target_store_recorded
from esg.types import (
    CustomizationInput,
    RefreshCause,
    ResolvedConcentratedPosition,
    ResolvedCustomization,
    ResolvedRestriction,
    TargetPreview,
)
from pma_engine.customization import CustomizationError, restrictions_merge
from pma_engine.securities import ticker_normalize
from portfolios.models import Security


def _securities_by_ticker(*, firm_id: int, tickers: Iterable[str]) -> dict[str, Security]:
    """Master securities, and the firm's own legacy ones, by ticker (the master wins)."""
    wanted = {ticker for ticker in tickers if ticker}
    found: dict[str, Security] = {}
    if not wanted:
        return found
    for security in Security.objects.filter(
        Q(firm__isnull=True) | Q(firm_id=firm_id), ticker__in=wanted
    ):
        if security.ticker not in found or security.firm_id is None:
            found[security.ticker] = security
    return found


def customization_resolve(
    *, account, data: CustomizationInput, today: date
) -> ResolvedCustomization:
    """Check every row and name it in the error; merge duplicates. Nothing is written."""
    errors: dict[str, list[str]] = defaultdict(list)
    notes: list[str] = []

    slugs = list(dict.fromkeys(slug.strip() for slug in data.category_slugs if slug.strip()))
    categories = {
        category.slug: category
        for category in ExclusionCategory.objects.filter(slug__in=slugs, is_active=True)
    }
    for slug in slugs:
        if slug not in categories:
            errors["categories"].append(f"No ESG category “{slug}”.")

    tickers = [ticker_normalize(row.ticker) for row in data.restrictions] + [
        ticker_normalize(row.ticker) for row in data.concentrated_positions
    ]
    securities = _securities_by_ticker(firm_id=account.firm_id, tickers=tickers)
    industries, sectors = _known_values()

    resolved_rows: list[ResolvedRestriction] = []
    for position, row in enumerate(data.restrictions, start=1):
        number = row.row or position
        where = f"Restriction row {number}"
        row_errors = []
        if row.scope not in RestrictionScope.values:
            row_errors.append(f"{where}, scope: choose security, industry or sector.")
        if row.mode not in RestrictionMode.values:
            row_errors.append(f"{where}, mode: choose do not buy or do not hold.")
        security, value = None, ""
        if row.scope == RestrictionScope.SECURITY:
            ticker = ticker_normalize(row.ticker)
            if not ticker:
                row_errors.append(f"{where}, ticker: enter the ticker to restrict.")
            elif ticker not in securities:
                row_errors.append(f"{where}, ticker: no security with ticker “{ticker}”.")
            else:
                security = securities[ticker]
        elif row.scope in (RestrictionScope.INDUSTRY, RestrictionScope.SECTOR):
            known = industries if row.scope == RestrictionScope.INDUSTRY else sectors
            cleaned = " ".join((row.value or row.ticker).split())
            if not cleaned:
                row_errors.append(f"{where}, value: enter the {row.scope} to restrict.")
            elif cleaned.lower() not in known:
                close = difflib.get_close_matches(cleaned, list(known.values()), n=2, cutoff=0.5)
                hint = f" (did you mean {' or '.join(close)}?)" if close else ""
                row_errors.append(f"{where}, value: no {row.scope} called “{cleaned}”{hint}.")
            else:
                value = known[cleaned.lower()]
        starts = row.effective_from or today
        if row.effective_to is not None and row.effective_to < starts:
            row_errors.append(
                f"{where}, effective_to: it ends ({row.effective_to}) before it starts ({starts})."
            )
        if row_errors:
            errors["restrictions"].extend(row_errors)
            continue
        resolved_rows.append(
            ResolvedRestriction(
                scope=row.scope,
                mode=row.mode,
                security=security,
                value=value,
                effective_from=starts,
                effective_to=row.effective_to,
                reason=row.reason.strip()[:300],
                rows=(number,),
            )
        )

    positions: dict[int, ResolvedConcentratedPosition] = {}
    for position, row in enumerate(data.concentrated_positions, start=1):
        number = row.row or position
        ticker = ticker_normalize(row.ticker)
        where = f"Concentrated position row {number}, ticker"
        if not ticker:
            errors["concentrated_positions"].append(f"{where}: enter the ticker.")
        elif ticker not in securities:
            errors["concentrated_positions"].append(f"{where}: no security with ticker “{ticker}”.")
        else:
            security = securities[ticker]
            if security.pk in positions:
                notes.append(f"{ticker} was marked as a concentrated position twice: kept once.")
            positions[security.pk] = ResolvedConcentratedPosition(
                security=security, note=row.note.strip()[:300]
            )

    if errors:
        raise ValidationError(dict(errors))

    try:
        merged = restrictions_merge(resolved_rows, notes)
    except CustomizationError as error:
        raise ValidationError(error.errors) from error
    return ResolvedCustomization(
        categories=tuple(categories[slug] for slug in slugs),
        restrictions=tuple(merged),
        concentrated_positions=tuple(positions.values()),
        notes=tuple(notes),
    )


def customization_preview(*, account, data: CustomizationInput, today: date | None = None):
    """Validate a proposed customization and compute its effect, without saving anything."""
    as_of = today or timezone.localdate()
    resolved = customization_resolve(account=account, data=data, today=as_of)
    return customized_target_compute(account=account, resolved=resolved, as_of=as_of)


def customization_save(
    *, account, actor, data: CustomizationInput, today: date | None = None
) -> TargetPreview:
    """Validate, compute, and persist the customization and its target, all or nothing."""
    as_of = today or timezone.localdate()
    with transaction.atomic():
        # Two advisors saving the same account at once: the second waits, then replaces.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        resolved = customization_resolve(account=account, data=data, today=as_of)
        preview = customized_target_compute(account=account, resolved=resolved, as_of=as_of)
        _customization_store(account=account, actor=actor, resolved=resolved)
        if preview.has_figures:
            who = getattr(actor, "display_name", "") or getattr(actor, "username", "") or "?"
            cause = RefreshCause(
                kind=RecomputeCause.CUSTOMIZATION, text=f"Customization saved by {who}"
            )
            target_store_recorded(account=account, preview=preview, cause=cause)
        _audit(
            firm=account.firm_id,
            actor=actor,
            kind="customization",
            account=account,
            summary=(
                f"Saved the customization of {account.name}: "
                f"{len(resolved.categories)} ESG category(ies), "
                f"{len(resolved.restrictions)} restriction(s), "
                f"{len(resolved.concentrated_positions)} concentrated position(s)"
            ),
        )
    return preview


def _audit(**event) -> None:
    from accounts.audit import audit_record

    audit_record(**event)


def customization_clear(*, account, actor) -> None:
    """Remove every category, restriction and concentrated position of the account."""
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()
        _customization_store(
            account=account,
            actor=actor,
            resolved=ResolvedCustomization(
                categories=(), restrictions=(), concentrated_positions=()
            ),
        )
        CustomizedTarget.objects.filter(account=account).delete()
        _audit(
            firm=account.firm_id,
            actor=actor,
            kind="customization",
            account=account,
            summary=f"Cleared the customization of {account.name}",
        )


def _customization_store(*, account, actor, resolved: ResolvedCustomization) -> None:
    firm_id = account.firm_id
    wanted_categories = {category.pk for category in resolved.categories}
    for exclusion in AccountExclusion.objects.filter(account=account):
        if exclusion.category_id not in wanted_categories:
            history_user_set(exclusion, actor)
            exclusion.delete()
        else:
            wanted_categories.discard(exclusion.category_id)
    for category_id in sorted(wanted_categories):
        exclusion = AccountExclusion(firm_id=firm_id, account=account, category_id=category_id)
        history_user_set(exclusion, actor)
        exclusion.save()

    wanted = {restriction.key: restriction for restriction in resolved.restrictions}
    for existing in Restriction.objects.filter(account=account):
        key = (existing.scope, existing.security_id, existing.value)
        restriction = wanted.pop(key, None)
        history_user_set(existing, actor)
        if restriction is None:
            existing.delete()
            continue
        fields = {
            "mode": restriction.mode,
            "effective_from": restriction.effective_from,
            "effective_to": restriction.effective_to,
            "reason": restriction.reason,
        }
        if any(getattr(existing, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
    for restriction in wanted.values():
        row = Restriction(
            firm_id=firm_id,
            account=account,
            scope=restriction.scope,
            security=restriction.security,
            value=restriction.value,
            mode=restriction.mode,
            effective_from=restriction.effective_from,
            effective_to=restriction.effective_to,
            reason=restriction.reason,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        history_user_set(row, actor)
        row.save()

    positions = {position.security.pk: position for position in resolved.concentrated_positions}
    for existing in ConcentratedPosition.objects.filter(account=account):
        position = positions.pop(existing.security_id, None)
        history_user_set(existing, actor)
        if position is None:
            existing.delete()
        elif existing.note != position.note:
            existing.note = position.note
            existing.save()
    for position in positions.values():
        row = ConcentratedPosition(
            firm_id=firm_id, account=account, security=position.security, note=position.note
        )
        history_user_set(row, actor)
        row.save()

    CustomizationNote.objects.update_or_create(
        account=account,
        defaults={
            "firm_id": firm_id,
            "saved_by": actor if getattr(actor, "pk", None) else None,
            "saved_at": timezone.now(),
        },
    )
