"""The firm's branding: the logo checked by decoding it (PNG or JPEG only), the colour as hex.

An SVG is refused (it is a document that can carry scripts and remote references, not a
picture); so is anything Pillow cannot decode as PNG/JPEG, anything over 2 MB, and anything
larger than 4,000 px a side. What is stored is a re-encoded PNG at most 800 px wide, so the
bytes kept are ours, not the upload's.
"""

from __future__ import annotations

import io
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import DEFAULT_BRAND_COLOR, HEX_COLOR_REGEX, FirmBranding

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4000
LOGO_MIN_SIDE = 16
LOGO_STORED_WIDTH = 800
ACCEPTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG"}


def logo_check(*, data: bytes, filename: str = "") -> tuple[bytes, int, int]:
    """Decode the upload; return (PNG bytes, width, height) or a ValidationError on `logo`."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(
            {"logo": f"The logo is {len(data) / 1_048_576:.1f} MB; the limit is 2 MB."}
        )
    head = data[:512].lstrip().lower()
    if filename.lower().endswith(".svg") or head.startswith(b"<?xml") or b"<svg" in head:
        raise ValidationError(
            {"logo": "SVG logos are not accepted (they can carry scripts); upload a PNG or JPEG."}
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in ACCEPTED_FORMATS:
                raise ValidationError(
                    {"logo": f"The logo is a {kind or 'unknown'} file; upload a PNG or JPEG."}
                )
            if max(width, height) > LOGO_MAX_SIDE or min(width, height) < LOGO_MIN_SIDE:
                raise ValidationError(
                    {
                        "logo": f"The logo is {width} × {height} px; it must be between "
                        f"{LOGO_MIN_SIDE} and {LOGO_MAX_SIDE} px a side."
                    }
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # a full decode: a truncated or corrupt file fails here
            image = image.convert("RGBA")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            {"logo": "This file is not an image we can read; upload a PNG or JPEG."}
        ) from None
    if image.width > LOGO_STORED_WIDTH:
        ratio = LOGO_STORED_WIDTH / image.width
        image = image.resize((LOGO_STORED_WIDTH, max(1, round(image.height * ratio))))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), image.width, image.height


def color_check(value: str) -> str:
    value = (value or "").strip()
    if not re.match(HEX_COLOR_REGEX, value):
        raise ValidationError(
            {"color": f"{value!r} is not a colour like #1f4e8c (a # and six hex digits)."}
        )
    return value.lower()


def firm_branding_get(*, firm) -> FirmBranding:
    """The firm's branding row (unsaved defaults when it has none)."""
    return FirmBranding.objects.filter(firm=firm).first() or FirmBranding(
        firm=firm, color=DEFAULT_BRAND_COLOR
    )


@transaction.atomic
def firm_branding_update(
    *,
    firm,
    actor,
    display_name: str,
    color: str,
    logo: bytes | None = None,
    logo_filename: str = "",
    remove_logo: bool = False,
) -> FirmBranding:
    """Check everything first (nothing is saved when one field is wrong), then save."""
    errors: dict[str, list[str]] = {}
    try:
        color = color_check(color)
    except ValidationError as error:
        errors.update(error.message_dict)
    checked = None
    if logo is not None:
        try:
            checked = logo_check(data=logo, filename=logo_filename)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    row = FirmBranding.objects.select_for_update().filter(firm=firm).first() or FirmBranding(
        firm=firm
    )
    row.display_name = display_name.strip()[:200]
    row.color = color
    row.updated_by = actor
    if checked is not None:
        row.logo_png, row.logo_width, row.logo_height = checked
    elif remove_logo:
        row.logo_png, row.logo_width, row.logo_height = None, None, None
    row.save()
    return row
