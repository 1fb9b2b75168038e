"""A password validator for the person's own name, which Django's similarity check misses when
the name is only part of the password ("Thatcher2026!!") or written as one word."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

MIN_PART = 4  # shorter name parts ("Li", "Obi") are too common inside words to refuse


class PersonNameValidator:
    """Refuse a password that contains the person's first or last name, their full name as one
    word, or the local part of their e-mail (case and separators ignored)."""

    def _parts(self, user) -> set[str]:
        first = (getattr(user, "first_name", "") or "").lower()
        last = (getattr(user, "last_name", "") or "").lower()
        local = (getattr(user, "email", "") or "").lower().split("@")[0]
        words = re.split(r"[\W_]+", f"{first} {last} {local}")
        joined = {re.sub(r"[\W_]+", "", text) for text in (first + last, last + first, local)}
        return {part for part in {*words, *joined} if len(part) >= MIN_PART}

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        squeezed = re.sub(r"[\W_]+", "", password.lower())
        for part in sorted(self._parts(user), key=len, reverse=True):
            if part in squeezed:
                raise ValidationError(
                    "The password is too similar to your own name or e-mail.",
                    code="password_too_similar",
                )

    def get_help_text(self) -> str:
        return "Your password can't contain your name or your e-mail address."
