"""The share-class table: companies listed with more than one class of shares, which the
wash-sale guard treats as one name. Platform staff keep it in the admin; this seeds it."""

from __future__ import annotations

from django.db import transaction

# Each tuple is one company; only the tickers present in the security master are grouped.
KNOWN_SHARE_CLASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Alphabet", ("GOOG", "GOOGL")),
    ("Fox Corporation", ("FOX", "FOXA")),
    ("News Corp", ("NWS", "NWSA")),
    ("Berkshire Hathaway", ("BRK.A", "BRK.B", "BRK-B")),
    ("Under Armour", ("UA", "UAA")),
    ("Comcast", ("CMCSA", "CMCSK")),
    ("Brown-Forman", ("BF.A", "BF.B", "BF-B")),
    ("Lennar", ("LEN", "LEN.B")),
    ("Discovery / Warner Bros. Discovery", ("DISCA", "DISCK", "WBD")),
    ("Liberty Global", ("LBTYA", "LBTYK")),
    ("Zillow", ("Z", "ZG")),
    ("Molson Coors", ("TAP", "TAP.A")),
    ("Constellation Brands", ("STZ", "STZ.B")),
    ("Moog", ("MOG.A", "MOG.B")),
)


def share_class_groups_seed() -> int:
    """Create the known groups for the tickers the master holds (at least two); idempotent.
    Returns how many groups exist afterwards."""
    from portfolios.models import Security
    from transitions.rebalance.models import ShareClassGroup, ShareClassMember

    present = dict(Security.objects.filter(firm__isnull=True).values_list("ticker", "pk"))
    with transaction.atomic():
        for name, tickers in KNOWN_SHARE_CLASSES:
            members = [present[t] for t in tickers if t in present]
            if len(members) < 2:
                continue
            group, _ = ShareClassGroup.objects.get_or_create(name=name)
            for security_id in members:
                ShareClassMember.objects.get_or_create(
                    security_id=security_id, defaults={"group": group}
                )
    return ShareClassGroup.objects.count()
