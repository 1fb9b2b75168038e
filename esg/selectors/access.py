"""Access helpers of the ESG area: the account whose customization a user may read or change."""

from __future__ import annotations

from accounts.models import Account
from accounts.scoping import access_object, access_object_for_write


def access_customization(*, user, id) -> Account:  # noqa: A002
    """The account whose customization (exclusions, restrictions, concentrated positions) the
    user may read, by the account's public id; 404 when missing or not the user's."""
    return access_object(
        Account.objects.select_related("client", "strategy"), user=user, public_id=id
    )


def access_customization_for_write(*, user, id) -> Account:  # noqa: A002
    """The account whose customization the user may change (never a client login)."""
    return access_object_for_write(
        Account.objects.select_related("client", "strategy"), user=user, public_id=id
    )
