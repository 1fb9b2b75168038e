"""Batch rebalances: one task per account, counted as they finish; a retry redoes only the
failed accounts (the ones that succeeded keep their single trade list)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from tests.transitions.conftest import trade_input, trades_add
from transitions.rebalance import batch as batch_services
from transitions.rebalance.models import RebalanceBatch, TradeList


def _batch(cast, accounts, capture):
    with capture(execute=True):
        batch = batch_services.rebalance_batch_create(
            user=cast.a.admin, scope="selection", account_ids=[a.public_id for a in accounts]
        )
    return RebalanceBatch.objects.get(pk=batch.pk)


def test_a_batch_counts_done_and_failed_and_a_retry_redoes_only_the_failed(
    world, cast, django_capture_on_commit_callbacks
):
    other = cast.a.other_account  # no strategy yet: fails with a readable reason
    batch = _batch(cast, [world.account, other], django_capture_on_commit_callbacks)
    assert (batch.total, batch.done, batch.failed, batch.status) == (2, 1, 1, "done")
    items = {item.account_id: item for item in batch.items.all()}
    assert items[other.pk].status == "failed"
    assert "has no strategy" in items[other.pk].error
    done = items[world.account.pk]
    assert done.status == "done" and done.trade_list.batch_id == batch.pk
    first_list = done.trade_list_id

    # The reason is fixed, then the batch retried: only the failed account runs again.
    other.strategy = world.strategy
    other.save(update_fields=["strategy"])
    trades_add(
        other,
        [
            trade_input(
                other,
                world.securities["MSFT"],
                shares=20,
                price=world.prices["MSFT"],
                on=world.today - timedelta(days=400),
            )
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_services.rebalance_batch_retry(batch=batch, user=cast.a.admin) == 1
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.status) == (2, 0, "done")
    assert TradeList.objects.filter(account=world.account).count() == 1
    assert batch.items.get(account=world.account).trade_list_id == first_list
    # A second delivery of a finished account's task does nothing.
    assert batch_services.rebalance_batch_item_run(item_id=done.pk) == "skipped"
    assert TradeList.objects.filter(account=world.account).count() == 1
    totals = batch_services.batch_results(batch=batch)
    assert totals["trades"] == sum(
        TradeList.objects.filter(batch=batch).values_list("trade_count", flat=True)
    )


def test_batch_scopes(world, cast):
    accounts, label = batch_services.batch_accounts(
        user=cast.a.admin, scope="strategy", strategy=world.strategy
    )
    assert set(accounts) == {world.account, world.ira} and "Rebalance test DI" in label
    accounts, _ = batch_services.batch_accounts(
        user=cast.a.advisor, scope="advisor", advisor=cast.a.advisor
    )
    assert set(accounts) == {world.account, world.ira}
    with pytest.raises(ValidationError, match="own accounts only"):
        batch_services.batch_accounts(
            user=cast.a.advisor, scope="advisor", advisor=cast.a.other_advisor
        )
    with pytest.raises(ValidationError, match="not yours to see"):
        batch_services.batch_accounts(
            user=cast.a.advisor, scope="selection", account_ids=[cast.b.account.public_id]
        )
    with pytest.raises(ValidationError, match="Only an advisor"):
        batch_services.rebalance_batch_create(
            user=cast.a.client_user, scope="strategy", strategy=world.strategy
        )
    assert not RebalanceBatch.objects.exists()
