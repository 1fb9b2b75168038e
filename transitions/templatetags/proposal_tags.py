"""Proposal sections of other pages (the household page, the analysis page)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def household_proposals(user, client):
    """The household's proposals the user may see (the page already checked the household)."""
    from transitions.proposals.selectors import proposals_for_client

    return list(proposals_for_client(user=user, client=client))


@register.simple_tag
def proposal_form_for(analysis):
    from transitions.proposals.forms import ProposalGenerateForm

    return ProposalGenerateForm(analysis=analysis)


@register.simple_tag
def client_overview(user):
    """A client login's overview (its household's accounts, gains, customizations, proposals)."""
    from transitions.proposals.portal import client_portal_context

    return client_portal_context(user=user)
