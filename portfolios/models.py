"""Securities, prices, the risk model, strategies with versioned weights, tax lots and trades."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.scoping import FirmScopedQuerySet
from pma_engine.securities import GICS_SECTORS

SECTOR_CHOICES = [(name, name) for name in GICS_SECTORS]


class SecurityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The global master plus the user's own firm's legacy securities."""
        firm_id = getattr(user, "firm_id", None) if user.is_authenticated else None
        if firm_id is None:
            return self.filter(firm__isnull=True)
        return self.filter(Q(firm__isnull=True) | Q(firm_id=firm_id))


class Security(models.Model):
    """A tradable security. Global rows form the security master; rows with a firm are legacy
    holdings (funds, delisted names) that one firm brought in with a price of its own."""

    ticker = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=40, choices=SECTOR_CHOICES, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=60, blank=True)
    isin = models.CharField(max_length=12, blank=True)
    indices = models.CharField(
        max_length=100, blank=True, help_text="Index memberships, comma separated."
    )
    is_active = models.BooleanField(default=True)
    firm = models.ForeignKey(
        "accounts.Firm",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="legacy_securities",
        help_text="Set only for a firm's legacy holding outside the security master.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SecurityQuerySet.as_manager()

    class Meta:
        ordering = ["ticker"]
        verbose_name_plural = "securities"
        constraints = [
            models.UniqueConstraint(
                fields=["ticker"], condition=Q(firm__isnull=True), name="security_master_ticker"
            ),
            models.UniqueConstraint(
                fields=["firm", "ticker"],
                condition=Q(firm__isnull=False),
                name="security_legacy_ticker_in_firm",
            ),
        ]
        indexes = [models.Index(fields=["sector", "industry"])]

    def __str__(self) -> str:
        return f"{self.ticker} {self.name}"

    @property
    def is_legacy(self) -> bool:
        return self.firm_id is not None


class PriceSource(models.TextChoices):
    SYNTHETIC = "synthetic", "Synthetic (simulated)"
    IMPORTED = "imported", "Imported"
    ADVISOR = "advisor", "Given by an advisor"


class Price(models.Model):
    """A daily close. Synthetic demo history is labelled so in `source`."""

    security = models.ForeignKey(Security, on_delete=models.CASCADE, related_name="prices")
    date = models.DateField()
    close = models.DecimalField(max_digits=18, decimal_places=6)
    source = models.CharField(max_length=10, choices=PriceSource.choices)

    class Meta:
        ordering = ["security", "date"]
        constraints = [
            models.UniqueConstraint(fields=["security", "date"], name="price_one_per_day"),
            models.CheckConstraint(condition=Q(close__gt=0), name="price_close_positive"),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.security_id} {self.date} {self.close}"


class RiskModel(models.Model):
    """A factor risk model estimated on a return history; its arrays are stored as bytes."""

    as_of = models.DateField()
    method = models.CharField(max_length=200)
    n_securities = models.PositiveIntegerField()
    n_factors = models.PositiveIntegerField()
    n_days = models.PositiveIntegerField()
    is_synthetic = models.BooleanField(
        default=False, help_text="Estimated on simulated (synthetic) prices."
    )
    payload = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-created_at"]
        get_latest_by = ["as_of", "created_at"]

    def __str__(self) -> str:
        return f"Risk model {self.as_of} ({self.n_securities} names, {self.n_factors} factors)"


class StrategyKind(models.TextChoices):
    ACTIVE = "active", "Active equity"
    DIRECT_INDEX = "direct_index", "Direct indexing"
    CORE = "core", "Core equity"


class Strategy(models.Model):
    """One of the sponsor's strategies; its model weights are versioned."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=StrategyKind.choices)
    description = models.TextField(blank=True)
    benchmark = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The index strategy an active model is measured against.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return self.name

    @property
    def offers_tax_budget(self) -> bool:
        """The tax-budget transition is offered for direct indexing and core strategies."""
        return self.kind in (StrategyKind.DIRECT_INDEX, StrategyKind.CORE)


class StrategyVersion(models.Model):
    """A dated set of model weights for a strategy."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    effective_date = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    is_synthetic = models.BooleanField(
        default=False, help_text="Demo weights (cap-weight proxies), not a real model."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["strategy", "-effective_date", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "version"], name="strategy_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.strategy} v{self.version} ({self.effective_date})"


class ModelWeight(models.Model):
    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="weights")
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(max_digits=12, decimal_places=10)

    class Meta:
        ordering = ["-weight"]
        constraints = [
            models.UniqueConstraint(fields=["version", "security"], name="model_weight_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=1), name="model_weight_in_unit_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.security_id}: {self.weight}"


class TaxLotQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        from accounts.models import Account

        return self.for_firm_of(user).filter(account__in=Account.objects.visible_to(user))


class TaxLot(models.Model):
    """An open tax lot: shares of one security bought together, with their (adjusted) basis.

    `acquired_on` is the original purchase date; `adjusted_acquired_on` moves back when a
    wash-sale loss is tacked on, and `wash_adjustment` is the disallowed loss added to basis.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="tax_lots"
    )
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="+")
    lot_ref = models.CharField(max_length=64, blank=True, help_text="The advisor's lot id.")
    shares = models.DecimalField(max_digits=20, decimal_places=6)
    cost_basis = models.DecimalField(
        max_digits=18, decimal_places=2, help_text="Total adjusted basis, wash adjustments in."
    )
    acquired_on = models.DateField()
    adjusted_acquired_on = models.DateField()
    wash_adjustment = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    import_batch = models.ForeignKey(
        "portfolios.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaxLotQuerySet.as_manager()

    class Meta:
        ordering = ["account", "security__ticker", "acquired_on"]
        indexes = [models.Index(fields=["firm", "account"]), models.Index(fields=["security"])]
        constraints = [
            models.CheckConstraint(condition=Q(shares__gt=0), name="tax_lot_shares_positive"),
            models.CheckConstraint(condition=Q(cost_basis__gte=0), name="tax_lot_basis_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.shares} sh of {self.security_id} bought {self.acquired_on}"


class TradeAction(models.TextChoices):
    BUY = "BUY", "Buy"
    SELL = "SELL", "Sell"


class TradeSource(models.TextChoices):
    OPENING = "opening", "Opening lot (imported holding)"
    MANUAL = "manual", "Entered by hand"
    REBALANCE = "rebalance", "Rebalance"
    TRANSITION = "transition", "Transition"


class TradeQuerySet(TaxLotQuerySet):
    pass


class Trade(models.Model):
    """A buy or sell against an account: the household's ledger that the tax engine replays."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="trades")
    security = models.ForeignKey(Security, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=4, choices=TradeAction.choices)
    trade_date = models.DateField()
    shares = models.DecimalField(max_digits=20, decimal_places=6)
    amount = models.DecimalField(
        max_digits=18, decimal_places=2, help_text="Total cost of a buy or proceeds of a sale."
    )
    lot_ref = models.CharField(
        max_length=64, blank=True, help_text="Buy: names the new lot. Sell: the lot sold."
    )
    source = models.CharField(max_length=12, choices=TradeSource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TradeQuerySet.as_manager()

    class Meta:
        ordering = ["trade_date", "id"]
        indexes = [models.Index(fields=["firm", "account", "trade_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(shares__gt=0), name="trade_shares_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="trade_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.shares} of {self.security_id} on {self.trade_date}"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed"
    IMPORTED = "imported", "Imported"
    REJECTED = "rejected", "Rejected"


class ImportBatchQuerySet(FirmScopedQuerySet):
    def visible_to(self, user):
        from accounts.models import Client

        return self.for_firm_of(user).filter(client__in=Client.objects.visible_to(user))


class ImportBatch(models.Model):
    """One uploaded holdings file: what was in it and what became of it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("accounts.Client", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, default="lots")
    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    row_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


class CashKind(models.TextChoices):
    OPENING = "opening", "Opening balance"
    DEPOSIT = "deposit", "Deposit"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    TRADE_PROCEEDS = "proceeds", "Sale proceeds"
    TRADE_COST = "cost", "Purchase cost"
    FEE = "fee", "Fee"


class CashEntryQuerySet(TaxLotQuerySet):
    pass


class CashEntry(models.Model):
    """One movement of an account's cash (signed: money in is positive). The account's cash is
    the sum of its entries; `Account.cash_balance` is kept equal to it by the cash services."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    firm = models.ForeignKey("accounts.Firm", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="cash_entries"
    )
    date = models.DateField()
    kind = models.CharField(max_length=12, choices=CashKind.choices)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    trade = models.ForeignKey(
        Trade, null=True, blank=True, on_delete=models.SET_NULL, related_name="cash_entries"
    )
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CashEntryQuerySet.as_manager()

    class Meta:
        ordering = ["account", "date", "id"]
        indexes = [models.Index(fields=["account", "date"])]
        verbose_name_plural = "cash entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} on {self.date}"
