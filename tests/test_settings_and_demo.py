"""Settings from the environment, production refusals, and the idempotent demo seed."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "PMA_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _manage("check", PMA_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_check_deploy_is_clean():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PMA_ENV="production",
        SECRET_KEY="k" * 20 + "-" + "x7Q" * 15,
        ALLOWED_HOSTS="pma.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from accounts.models import Account, Client, Firm, User

    def counts():
        return (
            Firm.objects.count(),
            User.objects.count(),
            Client.objects.count(),
            Account.objects.count(),
        )

    call_command("seed_demo", "--quick", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", "--quick", stdout=io.StringIO())
    assert counts() == first
    assert first[0] == 2
    for firm in Firm.objects.all():
        roles = sorted(firm.users.values_list("role", flat=True))
        assert roles == ["advisor", "advisor", "client", "firm_admin"]
        assert Account.objects.filter(firm=firm, account_type="taxable").exists()
        assert Account.objects.filter(firm=firm).exclude(account_type="taxable").exists()


@pytest.mark.django_db
def test_demo_household_shows_a_wash_sale_in_both_kinds_of_account():
    """The Morgan household sold a loser and bought it back: half in the IRA (lost for good),
    a quarter in the joint account (carried into that lot's basis)."""
    from decimal import Decimal

    from portfolios.models import TaxLot, Trade

    call_command("seed_demo", "--quick", stdout=io.StringIO())
    buy, sell = (
        Trade.objects.get(lot_ref="DEMO-LOSS", action=action) for action in ("BUY", "SELL")
    )
    loss_per_share = (buy.amount - sell.amount) / sell.shares
    assert loss_per_share > 0
    rebought = Trade.objects.get(
        account=buy.account, security=buy.security, action="BUY", trade_date__gt=sell.trade_date
    )
    assert rebought.shares == max(1, int(sell.shares) // 4)
    lot = TaxLot.objects.get(account=buy.account, lot_ref=rebought.lot_ref)
    expected = (loss_per_share * rebought.shares).quantize(Decimal("0.01"))
    assert abs(lot.wash_adjustment - expected) <= Decimal("0.01")
    assert abs(lot.cost_basis - (rebought.amount + expected)) <= Decimal("0.01")
    # The holding period of the sold shares carries over: the date moves back by it.
    held = sell.trade_date - buy.trade_date
    assert lot.adjusted_acquired_on == rebought.trade_date - held
    ira_buy = Trade.objects.get(
        account__client=buy.account.client,
        account__account_type="traditional_ira",
        security=buy.security,
        action="BUY",
    )
    ira_lot = TaxLot.objects.get(account=ira_buy.account, lot_ref=ira_buy.lot_ref)
    assert ira_lot.wash_adjustment == 0  # a repurchase in an IRA adds nothing to its basis
