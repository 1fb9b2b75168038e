"""Demo data of rebalancing: the share-class table, each firm's rebalance defaults, and one
proposed trade list per demo advisor (computed by the same service as "Propose trades")."""

from __future__ import annotations

import logging
from decimal import Decimal

logger = logging.getLogger(__name__)

FIRM_DEFAULTS = {
    # firm slug: (budget kind, amount)
    "harbor-point": ("gain", Decimal("25000")),
    "summit-ridge": ("tax", Decimal("5000")),
}


def demo_share_classes_seed(*, quick: bool) -> None:
    from transitions.rebalance.share_classes import share_class_groups_seed

    share_class_groups_seed()


def demo_rebalance_seed(*, quick: bool) -> None:
    """Firm defaults (kept if a firm admin already changed them) and one proposal per advisor
    who has none yet."""
    from accounts.models import Account, Firm, Role, User
    from transitions.rebalance.compute import trade_list_compute
    from transitions.rebalance.models import RebalanceSettings, TradeList
    from transitions.rebalance.services import rebalance_settings_save

    for firm in Firm.objects.all():
        admin = User.objects.filter(firm=firm, role=Role.FIRM_ADMIN).first()
        if admin is None or RebalanceSettings.objects.filter(firm=firm, account=None).exists():
            continue
        kind, amount = FIRM_DEFAULTS.get(firm.slug, ("none", None))
        rebalance_settings_save(
            firm=firm,
            actor=admin,
            values={
                "budget_kind": kind,
                "budget_amount": amount,
                "loss_harvest_min_pct": Decimal("5"),
                "loss_harvest_min_value": Decimal("250"),
                "min_trade_value": Decimal("50"),
                "whole_shares": True,
            },
        )
    for advisor in User.objects.filter(role=Role.ADVISOR, is_active=True).order_by("pk"):
        accounts = Account.objects.filter(
            client__advisor=advisor,
            is_active=True,
            strategy__isnull=False,
            account_type="taxable",
            tax_lots__isnull=False,
        ).distinct()
        if TradeList.objects.filter(account__in=accounts).exists():
            continue
        account = accounts.select_related("client", "strategy").order_by("pk").first()
        if account is None:
            continue
        try:
            trade_list_compute(account=account, actor=advisor)
        except Exception as error:  # the demo loads without it; say why
            logger.warning("demo trade list for %s skipped: %s", account, error)
