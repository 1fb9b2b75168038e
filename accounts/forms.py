"""Page forms. They parse and validate input; services do the writes."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)

from accounts.fields import PercentField
from accounts.models import (
    DEFAULT_LONG_TERM_RATE,
    DEFAULT_SHORT_TERM_RATE,
    Account,
    Client,
    Role,
)
from portfolios.models import Strategy


class ClientForm(forms.ModelForm):
    short_term_rate = PercentField(
        label="Short-term rate",
        max_value=90,
        help_text="Combined marginal rate on short-term gains: federal, state, NIIT.",
    )
    long_term_rate = PercentField(
        label="Long-term rate",
        max_value=90,
        help_text="Combined rate on long-term gains: federal, state, NIIT.",
    )

    class Meta:
        model = Client
        fields = [
            "name",
            "advisor",
            "email",
            "phone",
            "filing_status",
            "short_term_rate",
            "long_term_rate",
            "notes",
        ]
        labels = {"name": "Household name"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, advisor_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("short_term_rate", DEFAULT_SHORT_TERM_RATE)
            self.initial.setdefault("long_term_rate", DEFAULT_LONG_TERM_RATE)
        self.fields["advisor"].queryset = advisor_queryset
        self.fields["advisor"].label_from_instance = lambda user: user.display_name
        if advisor_queryset.count() == 1:
            self.fields["advisor"].initial = advisor_queryset.first()

    def _post_clean(self):
        # Validation that spans the firm lives in the service; skip model.full_clean here.
        pass


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = [
            "name",
            "account_type",
            "custodian",
            "account_number",
            "strategy",
            "lot_relief_method",
            "cash_balance",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = Strategy.objects.filter(is_active=True)
        self.fields["strategy"].required = False
        self.fields["strategy"].empty_label = "Choose later"

    def _post_clean(self):
        pass


class InvitationForm(forms.Form):
    email = forms.EmailField(
        help_text="Their username will be this e-mail address; the link works for 7 days, once."
    )
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(
        choices=[(Role.ADVISOR, "Advisor"), (Role.FIRM_ADMIN, "Firm admin")], initial=Role.ADVISOR
    )


class AcceptInvitationForm(forms.Form):
    """Sets the invitee's password; their own name and e-mail are what the password is compared
    to (UserAttributeSimilarityValidator), so "Nia Obi" cannot choose "niaobi2026!"."""

    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput, help_text=password_validators_help_text_html()
    )
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput)

    def __init__(self, *args, invitation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if invitation is not None:
            self.fields["first_name"].initial = invitation.first_name
            self.fields["last_name"].initial = invitation.last_name

    def clean(self):
        data = super().clean()
        if self.invitation is not None:
            data["first_name"] = data.get("first_name") or self.invitation.first_name
            data["last_name"] = data.get("last_name") or self.invitation.last_name
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        elif data.get("password1") and self.invitation is not None:
            from accounts.models import User

            person = User(
                username=self.invitation.email,
                email=self.invitation.email,
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
            try:
                validate_password(data["password1"], person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class AuditFilterForm(forms.Form):
    """The firm admin's filters of the audit trail (all optional)."""

    person = forms.ChoiceField(required=False)
    household = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(required=False)
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import AuditKind, Client, User

        people = User.objects.visible_to(user).order_by("last_name", "first_name", "username")
        households = Client.objects.visible_to(user).order_by("name")
        self.fields["person"].choices = [("", "Anyone")] + [
            (str(p.public_id), p.display_name) for p in people
        ]
        self.fields["household"].choices = [("", "Any household")] + [
            (str(c.public_id), c.name) for c in households
        ]
        self.fields["kind"].choices = [("", "Any kind")] + list(AuditKind.choices)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
