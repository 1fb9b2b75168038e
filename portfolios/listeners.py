"""Areas built on portfolios hear when its reference data changes (a new risk model, a new
strategy version), without portfolios importing them: each registers a listener when its app
is ready. A listener only queues work (a job); it decides nothing about the change itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

ReferenceDataListener = Callable[..., object]
_LISTENERS: list[ReferenceDataListener] = []


def reference_data_listener(func: ReferenceDataListener) -> ReferenceDataListener:
    """Register `func(*, reason: str, account_ids: Iterable[int] | None)`."""
    if func not in _LISTENERS:
        _LISTENERS.append(func)
    return func


def reference_data_changed(*, reason: str, account_ids: Iterable[int] | None = None) -> None:
    """Tell the listeners; `account_ids` None means every account may be affected."""
    ids = None if account_ids is None else list(account_ids)
    for listener in _LISTENERS:
        listener(reason=reason, account_ids=ids)
