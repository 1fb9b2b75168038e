"""Sections other areas add to the account page. Each area registers a reader of the values
its section shows; the account view calls them all, so the templates (and their tags) only
format what they are given. The registry keeps accounts from importing the areas built on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

AccountSectionReader = Callable[..., dict[str, Any]]
_READERS: list[AccountSectionReader] = []


def account_section(reader: AccountSectionReader) -> AccountSectionReader:
    """Register `reader(*, account, user) -> context` for the account page (a selector)."""
    if reader not in _READERS:
        _READERS.append(reader)
    return reader


def account_sections_context(*, account, user) -> dict[str, Any]:
    """The context of every registered section of the account page."""
    context: dict[str, Any] = {}
    for reader in _READERS:
        context.update(reader(account=account, user=user))
    return context
