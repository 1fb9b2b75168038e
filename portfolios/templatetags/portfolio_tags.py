"""Template tags that put portfolio figures on other areas' pages."""

from __future__ import annotations

from django import template

from portfolios.selectors import account_risk

register = template.Library()


@register.inclusion_tag("portfolios/includes/account_risk.html", takes_context=True)
def account_strategy_risk(context, account):
    """The account's strategy and, with priced lots and a risk model, its ex-ante tracking
    error to the strategy in % a year."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "account": account,
        "risk": account_risk(account=account),
        "can_browse_strategies": bool(
            user and getattr(user, "role", "") in ("advisor", "firm_admin")
        ),
    }
