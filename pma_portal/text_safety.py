"""Invisible characters refused in what people read and match: names, account numbers, lot ids.

Control characters and bidirectional overrides/isolates make one string display as another
("Trojan Source": U+202E turns "1234" into "4321" on screen) or hide text in an export.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def unsafe_character(text: str) -> str | None:
    """The first control or bidi character of `text` as "U+XXXX", or None (BOM allowed)."""
    for char in text or "":
        if char == "\ufeff":
            continue
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return f"U+{ord(char):04X}"
    return None


def text_fields_check(instance, names: Iterable[str], *, multiline: Iterable[str] = ()) -> None:
    """ValidationError naming each field of `instance` that holds an invisible character.

    `multiline` fields (notes) may hold line breaks and tabs, nothing else."""
    allowed = {"\n", "\r", "\t"}
    errors = {}
    for name in [*names, *multiline]:
        value = getattr(instance, name, "") or ""
        if name in multiline:
            value = "".join(c for c in value if c not in allowed)
        if bad := unsafe_character(str(value)):
            errors[name] = f"Contains the invisible control character {bad}: remove it."
    if errors:
        raise ValidationError(errors)
