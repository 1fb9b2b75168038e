"""The audit trail (issue 9): every change recorded with who, when and what in plain words,
filtered by person, household, kind and date, exported through the safe CSV writer, and
limited to the firm."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import AuditEvent
from tests.lots.test_trades import opening, trade


def _summaries(**filters) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).values_list("summary", flat=True))


def test_changes_are_recorded_in_plain_words(cast, securities):
    a = cast.a
    opening(cast, f"{a.account.account_number},AAPL,10,2020-01-02,1000.00,A1")
    trade(cast, a.account, "SELL", "AAPL", "4", date(2026, 3, 2), amount="800")
    account_services.client_update(client=a.client, actor=a.advisor, email="new@example.com")
    invitation = account_services.invitation_create(
        firm=a.firm, invited_by=a.admin, email="joiner@example.com"
    )
    account_services.invitation_revoke(invitation=invitation, actor=a.admin)
    account_services.user_set_active(user=a.other_advisor, actor=a.admin, is_active=False)
    kinds = dict(AuditEvent.objects.filter(firm=a.firm).values_list("kind", "summary"))
    assert kinds["holdings_import"] == "Imported 1 lot(s) from h.csv into alpha brokerage"
    assert kinds["trade"] == (
        "Recorded a sell of 4 AAPL on 2026-03-02 for $800.00 in alpha brokerage"
    )
    assert kinds["client"] == "Edited household alpha Household One: email"
    assert _summaries(kind="invitation") == [
        "Revoked the invitation of joiner@example.com",
        "Invited joiner@example.com as advisor, e-mailed to joiner@example.com",
    ]
    assert kinds["activation"] == f"Deactivated {a.other_advisor.display_name}"
    event = AuditEvent.objects.get(kind="trade")
    assert event.actor == a.advisor and event.account == a.account and event.client == a.client


def test_a_refused_trade_records_nothing(cast, securities):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        trade(cast, cast.a.account, "SELL", "AAPL", "4", date(2026, 3, 2), amount="800")
    assert not AuditEvent.objects.filter(kind="trade").exists()


def test_the_page_filters_and_exports_and_stays_in_the_firm(client, cast, securities):
    a = cast.a
    opening(cast, f"{a.account.account_number},AAPL,10,2020-01-02,1000.00,A1")
    account_services.client_update(
        client=a.other_client, actor=a.admin, name='=HYPERLINK("http://evil")'
    )
    AuditEvent.objects.filter(kind="client").update(created_at=timezone.now() - timedelta(days=40))
    client.force_login(a.admin)
    url = reverse("audit-trail")
    page = client.get(url).content.decode()
    assert "Imported 1 lot(s)" in page and "Edited household" in page
    by_household = client.get(url, {"household": str(a.client.public_id)}).content.decode()
    assert "Imported 1 lot(s)" in by_household and "Edited household" not in by_household
    by_person = client.get(url, {"person": str(a.admin.public_id)}).content.decode()
    assert "Edited household" in by_person and "Imported 1 lot(s)" not in by_person
    by_kind = client.get(url, {"kind": "holdings_import"}).content.decode()
    assert "Edited household" not in by_kind
    recent = client.get(url, {"date_from": (timezone.localdate() - timedelta(days=7))})
    assert "Edited household" not in recent.content.decode()
    export = client.get(reverse("audit-trail-csv"))
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == ["when", "who", "kind", "household", "account", "what"]
    households = [row[3] for row in rows[1:]]
    assert "'" + '=HYPERLINK("http://evil")' in households  # the safe writer
    # Firm B's admin sees none of it; an advisor may not open it.
    client.force_login(cast.b.admin)
    assert "Imported" not in client.get(url).content.decode()
    assert (
        len(list(csv.reader(io.StringIO(client.get(reverse("audit-trail-csv")).content.decode()))))
        == 1
    )
    client.force_login(a.advisor)
    assert client.get(url).status_code == 403
