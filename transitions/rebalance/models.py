"""Rebalancing: settings (firm defaults, per-account overrides), share-class groups, trade
lists with their lines and blocked trades, and batch rebalances with one row per account."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.scoping import FirmScopedQuerySet


class AccountOwnedQuerySet(FirmScopedQuerySet):
    """Rows of one account: visible when the account is (advisors see their households)."""

    def visible_to(self, user):
        from accounts.models import Account

        return self.for_firm_of(user).filter(account__in=Account.objects.visible_to(user))


# --------------------------------------------------------------------------- settings

# The optimizer's risk aversion (dollars of tax per unit of equity x TE^2): bounds of the
# setting. Below 0.1 tracking error is almost free to ignore, above 1000 tax almost is.
RISK_AVERSION_MIN = Decimal("0.1")
RISK_AVERSION_MAX = Decimal("1000")


class BudgetKind(models.TextChoices):
    INHERIT = "inherit", "As the firm's default"
    NONE = "none", "No limit"
    GAIN = "gain", "Realized-gain budget"
    TAX = "tax", "Tax budget"


# The budget kinds a rebalance can end up with once "inherit" is resolved (the API's
# effective settings and a trade list's settings_used).
EFFECTIVE_BUDGET_KINDS = [BudgetKind.NONE.value, BudgetKind.GAIN.value, BudgetKind.TAX.value]


class SettingsQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        """The firm's defaults row (account empty) and the rows of accounts the user sees."""
        from accounts.models import Account

        return self.for_firm_of(user).filter(
            Q(account__isnull=True) | Q(account__in=Account.objects.visible_to(user))
        )


class RebalanceSettings(models.Model):
    """Firm defaults (account empty) or one account's overrides (empty fields inherit).

    Budgets: `budget_kind` says which budget applies (gain or tax, for the period), "none" is
    no limit, "inherit" takes the firm's; `budget_amount` is its amount (zero allowed).
    Percentages are in percent (5 = 5 %). Withdrawals and deposits are per account only.
    `risk_aversion` is the optimizer's price of tracking error: dollars of tax per unit of
    equity × TE² (higher follows the target more closely, paying more tax).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.CASCADE, related_name="+")
    account = models.OneToOneField(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rebalance_settings",
    )
    budget_kind = models.CharField(
        max_length=10, choices=BudgetKind.choices, default=BudgetKind.INHERIT
    )
    budget_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    loss_harvest_min_pct = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="A loss worth taking: at least this % of the lot's basis.",
    )
    loss_harvest_min_value = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="... and at least this many dollars per lot.",
    )
    withdrawal = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, help_text="Cash to raise."
    )
    deposit = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, help_text="Cash to invest."
    )
    cash_target = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Cash to keep after the trades.",
    )
    min_trade_value = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, help_text="Smallest trade, $."
    )
    max_turnover_pct = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Buys plus sells over the account's value, in %.",
    )
    whole_shares = models.BooleanField(null=True, blank=True)
    trading_cost_bps = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    te_max_pct = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Tracking-error ceiling after trades, % a year.",
    )
    risk_aversion = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Tax paid to cut tracking error: $ per unit of equity × TE² (default 20).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SettingsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "rebalance settings"
        constraints = [
            models.UniqueConstraint(
                fields=["firm"], condition=Q(account__isnull=True), name="rebalance_firm_defaults"
            ),
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="rebalance_budget_nonneg",
            ),
            models.CheckConstraint(
                condition=~Q(budget_kind__in=["gain", "tax"]) | Q(budget_amount__isnull=False),
                name="rebalance_budget_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(account__isnull=False) | ~Q(budget_kind="inherit"),
                name="rebalance_firm_budget_explicit",
            ),
            models.CheckConstraint(
                condition=(Q(withdrawal__isnull=True) | Q(withdrawal__gte=0))
                & (Q(deposit__isnull=True) | Q(deposit__gte=0))
                & ~(Q(withdrawal__gt=0) & Q(deposit__gt=0)),
                name="rebalance_one_cash_flow",
            ),
            models.CheckConstraint(
                condition=(Q(cash_target__isnull=True) | Q(cash_target__gte=0))
                & (Q(min_trade_value__isnull=True) | Q(min_trade_value__gte=0))
                & (Q(loss_harvest_min_pct__isnull=True) | Q(loss_harvest_min_pct__gte=0))
                & (Q(loss_harvest_min_value__isnull=True) | Q(loss_harvest_min_value__gte=0))
                & (Q(max_turnover_pct__isnull=True) | Q(max_turnover_pct__gte=0))
                & (Q(trading_cost_bps__isnull=True) | Q(trading_cost_bps__gte=0))
                & (Q(te_max_pct__isnull=True) | Q(te_max_pct__gt=0)),
                name="rebalance_settings_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(risk_aversion__isnull=True)
                | Q(risk_aversion__gte=RISK_AVERSION_MIN, risk_aversion__lte=RISK_AVERSION_MAX),
                name="rebalance_risk_aversion_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"Rebalance settings of {self.account or 'the firm'}"


# --------------------------------------------------------------------------- share classes


class ShareClassGroup(models.Model):
    """Share classes of one company (GOOG and GOOGL): one name for the wash-sale guard.
    Reference data kept by platform staff in the admin."""

    name = models.CharField(max_length=100, unique=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ShareClassMember(models.Model):
    group = models.ForeignKey(ShareClassGroup, on_delete=models.CASCADE, related_name="members")
    security = models.OneToOneField(
        "portfolios.Security", on_delete=models.CASCADE, related_name="share_class"
    )

    class Meta:
        ordering = ["group", "security__ticker"]

    def __str__(self) -> str:
        return f"{self.security} in {self.group}"


# --------------------------------------------------------------------------- trade lists


class TradeListStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    EXPORTED = "exported", "Exported"
    EXECUTED = "executed", "Executed"
    STALE = "stale", "Stale"
    FAILED = "failed", "Failed"


class TradeList(models.Model):
    """One proposed rebalance of an account: lot-level trades, before/after figures, what each
    binding constraint cost, and its life (proposed, approved, exported, executed).

    `inputs_digest` digests the prices, lots, target and settings it was computed from; a
    mismatch with today's inputs makes it stale (it cannot be approved).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="trade_lists"
    )
    status = models.CharField(
        max_length=10, choices=TradeListStatus.choices, default=TradeListStatus.PROPOSED
    )
    as_of = models.DateField()
    inputs_digest = models.CharField(max_length=64)
    inputs = models.JSONField(default=dict, blank=True, help_text="The digest's parts.")
    settings_used = models.JSONField(default=dict, blank=True, help_text="Settings in force.")
    # before / after
    tracking_error_before = models.FloatField(null=True, blank=True)
    tracking_error_after = models.FloatField(null=True, blank=True)
    realized_st = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    realized_lt = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    estimated_tax = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    harvested_losses = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    turnover = models.FloatField(default=0.0, help_text="Buys plus sells over the value.")
    trade_count = models.PositiveIntegerField(default=0)
    value_before = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    cash_before = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    cash_after = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    withdrawal = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Paid out (positive) or deposited (negative) with the trades.",
    )
    fees = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    constraint_costs = models.JSONField(default=list, blank=True)
    messages = models.JSONField(default=list, blank=True)
    left_to_sell = models.JSONField(default=list, blank=True)
    solver_status = models.CharField(max_length=30, blank=True)
    solve_seconds = models.FloatField(default=0.0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        "transitions.RebalanceBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trade_lists",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    executed_at = models.DateTimeField(null=True, blank=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["firm", "account", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "exported", "executed"])
                | Q(approved_at__isnull=False),
                name="trade_list_approved_has_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="executed") | Q(executed_at__isnull=False),
                name="trade_list_executed_has_when",
            ),
            models.CheckConstraint(condition=Q(turnover__gte=0), name="trade_list_turnover_nonneg"),
        ]

    def __str__(self) -> str:
        return f"Trade list of {self.account} ({self.get_status_display()})"

    @property
    def realized_net(self) -> Decimal:
        return self.realized_st + self.realized_lt


class TradeSide(models.TextChoices):
    BUY = "BUY", "Buy"
    SELL = "SELL", "Sell"


class TradeReason(models.TextChoices):
    HARVEST = "harvest", "Loss harvest"
    EXCLUSION = "exclusion", "Exclusion"
    DO_NOT_HOLD = "do_not_hold", "Do not hold"
    CONCENTRATED = "concentrated", "Concentrated sell-down"
    DRIFT = "drift", "Drift"
    CASH_RAISE = "cash_raise", "Cash raise"
    CASH_INVEST = "cash_invest", "Cash invest"
    TRANSITION = "transition", "Transition"


class Term(models.TextChoices):
    SHORT = "ST", "Short term"
    LONG = "LT", "Long term"


class TradeLine(models.Model):
    """One order of a trade list: a sale of (part of) one lot, or a buy of one security."""

    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    trade_list = models.ForeignKey(TradeList, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    side = models.CharField(max_length=4, choices=TradeSide.choices)
    security = models.ForeignKey("portfolios.Security", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(
        "portfolios.TaxLot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lot_public_id = models.CharField(max_length=36, blank=True)
    lot_ref = models.CharField(max_length=64, blank=True)
    acquired_on = models.DateField(null=True, blank=True)
    shares = models.DecimalField(max_digits=20, decimal_places=6)
    price = models.DecimalField(max_digits=18, decimal_places=6)
    amount = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        help_text="Shares × price: gross proceeds of a sale or gross cost of a buy.",
    )
    fee = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Trading cost of the line: taken from a sale's proceeds, added to a buy's cost.",
    )
    cost_basis = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    realized_gain = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Amount less fee less basis (IRS: proceeds are net of selling expenses).",
    )
    term = models.CharField(max_length=2, choices=Term.choices, blank=True)
    days_held = models.IntegerField(null=True, blank=True)
    reason = models.CharField(max_length=15, choices=TradeReason.choices)
    reason_detail = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="The reason in a sentence with its numbers (weights of the account before "
        "the trades, the target, after the list; a harvested loss and its term).",
    )

    class Meta:
        ordering = ["trade_list", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["trade_list", "position"], name="trade_line_position_unique"
            ),
            models.CheckConstraint(condition=Q(shares__gt=0), name="trade_line_shares_positive"),
            models.CheckConstraint(condition=Q(price__gt=0), name="trade_line_price_positive"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="trade_line_fee_nonneg"),
            models.CheckConstraint(
                condition=Q(side="BUY") | ~Q(lot_public_id=""), name="trade_line_sale_names_lot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.shares} of {self.security_id}"


class BlockedKind(models.TextChoices):
    BUY = "buy", "Buy"
    LOSS_SALE = "loss_sale", "Loss sale"


class BlockedTrade(models.Model):
    """A trade the proposal did not make, and why (the wash-sale guard, a restriction)."""

    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    trade_list = models.ForeignKey(
        TradeList, on_delete=models.CASCADE, related_name="blocked_trades"
    )
    security = models.ForeignKey("portfolios.Security", on_delete=models.PROTECT, related_name="+")
    blocked = models.CharField(max_length=10, choices=BlockedKind.choices)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["trade_list", "security__ticker", "blocked"]

    def __str__(self) -> str:
        return f"{self.get_blocked_display()} of {self.security_id}: {self.reason}"


# --------------------------------------------------------------------------- batches


class BatchScope(models.TextChoices):
    STRATEGY = "strategy", "All accounts of a strategy"
    ADVISOR = "advisor", "All accounts of an advisor"
    SELECTION = "selection", "Selected accounts"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class BatchQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        """Firm admins see the firm's batches; advisors the batches they started."""
        rows = self.for_firm_of(user)
        if getattr(user, "is_firm_admin", False):
            return rows
        if getattr(user, "role", "") == "advisor":
            return rows.filter(created_by_id=user.pk)
        return rows.none()


class RebalanceBatch(models.Model):
    """Many accounts rebalanced at once: one Celery task per account (`RebalanceBatchItem`),
    counted as they finish; failed accounts can be retried without redoing the others."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=10, choices=BatchScope.choices)
    scope_label = models.CharField(max_length=200)
    strategy = models.ForeignKey(
        "portfolios.Strategy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default="queued")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "rebalance batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")) & Q(failed__lte=models.F("total")),
                name="rebalance_batch_counts_le_total",
            )
        ]

    def __str__(self) -> str:
        return f"Batch rebalance: {self.scope_label}"

    @property
    def progress(self) -> int:
        return int(100 * (self.done + self.failed) / self.total) if self.total else 100


class BatchItemStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RebalanceBatchItem(models.Model):
    """One account of a batch. A task claims it with a conditional update (queued, or running
    with an expired lease -> running), so a second delivery of a live item does nothing and a
    done account is never redone; a running item holds a lease its worker's heartbeat renews
    (transitions.rebalance.batch)."""

    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(RebalanceBatch, on_delete=models.CASCADE, related_name="items")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=BatchItemStatus.choices, default="queued")
    trade_list = models.OneToOneField(
        TradeList, null=True, blank=True, on_delete=models.SET_NULL, related_name="batch_item"
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A running item whose lease passed has lost its worker."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    # When it last finished: a retry keeps it, so that a trade list created after it is the
    # current round's (reused when its attempt died before recording it).
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "id"]
        indexes = [
            models.Index(fields=["status", "lease_expires_at"], name="batch_item_status_lease")
        ]
        constraints = [
            models.UniqueConstraint(fields=["batch", "account"], name="batch_item_account_once"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(trade_list__isnull=False),
                name="batch_item_done_has_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} in batch {self.batch_id} ({self.status})"
