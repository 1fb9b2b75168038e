"""Forms of the tax-lot pages: holdings upload, advisor prices for legacy names, trades."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from portfolios.lots.imports import ImportMode
from portfolios.models import CashKind, TaxLot, TradeAction


class HoldingsUploadForm(forms.Form):
    file = forms.FileField(
        label="Holdings file (CSV or Excel .xlsx)",
        help_text=(
            "One row per lot: account, ticker, shares, acquired_on, cost_basis (total), "
            "optionally lot_id and price. Cash: ticker CASH with the amount in shares."
        ),
    )
    mode = forms.ChoiceField(
        choices=ImportMode.CHOICES, initial=ImportMode.ADD, widget=forms.RadioSelect
    )
    default_account = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="— none: every row names its account —",
        help_text="Rows with an empty account cell (or a file without an account column) go here.",
    )

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Account

        self.fields["default_account"].queryset = Account.objects.filter(client=client)


class RecheckForm(forms.Form):
    """The preview's second step: a price for each ticker outside the master, and the mode."""

    mode = forms.ChoiceField(choices=ImportMode.CHOICES, widget=forms.RadioSelect)

    def __init__(self, *args, tickers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.tickers = tickers
        for ticker in tickers:
            self.fields[f"price_{ticker}"] = forms.DecimalField(
                label=f"Price of {ticker} (per share, today)",
                min_value=Decimal("0.000001"),
                max_digits=18,
                decimal_places=6,
                required=False,
            )

    def prices(self) -> dict:
        return {
            t: self.cleaned_data.get(f"price_{t}")
            for t in self.tickers
            if self.cleaned_data.get(f"price_{t}") is not None
        }


class TradeForm(forms.Form):
    action = forms.ChoiceField(choices=TradeAction.choices)
    ticker = forms.CharField(max_length=20)
    shares = forms.DecimalField(max_digits=20, decimal_places=6)
    price = forms.DecimalField(
        label="Price per share", max_digits=18, decimal_places=6, required=False
    )
    amount = forms.DecimalField(
        label="or total amount",
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text="Total cost of a buy, or total proceeds of a sale.",
    )
    trade_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    lot_ref = forms.ChoiceField(
        label="Lot sold (optional)",
        required=False,
        help_text="Specific identification: otherwise the account's relief method chooses.",
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trade_date"].initial = timezone.localdate()
        lots = (
            TaxLot.objects.filter(account=account)
            .select_related("security")
            .order_by("security__ticker", "adjusted_acquired_on")
        )
        self.fields["lot_ref"].choices = [("", "— by the account's method —")] + [
            (
                lot.lot_ref,
                f"{lot.security.ticker} · {lot.lot_ref} · {lot.shares.normalize():f} sh · "
                f"acquired {lot.adjusted_acquired_on:%Y-%m-%d}",
            )
            for lot in lots
            if lot.lot_ref
        ]


class CashEntryForm(forms.Form):
    """A deposit, withdrawal or fee on an account (the amount is given positive)."""

    kind = forms.ChoiceField(
        choices=[
            (CashKind.DEPOSIT, "Deposit"),
            (CashKind.WITHDRAWAL, "Withdrawal"),
            (CashKind.FEE, "Fee"),
        ]
    )
    amount = forms.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
