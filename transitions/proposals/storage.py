"""Where proposal PDFs are kept: a storage with no URL, under a directory no route serves.

Files are named by a random token (never a public id, a client name or a sequence), and they
leave only through `transitions.proposals.views.proposal_version_download`, which checks access.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_root() -> Path:
    return Path(getattr(settings, "PRIVATE_MEDIA_ROOT", Path(settings.MEDIA_ROOT) / "private"))


class PrivateStorage(FileSystemStorage):
    """FileSystemStorage without a base URL: `url()` refuses, so no template can link a file.
    Its root is read from the settings on each use (tests point it elsewhere)."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self):  # type: ignore[override]
        return str(private_root())

    @property
    def location(self):  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name):  # noqa: D102
        raise ValueError("Private files have no URL; serve them through an access-checked view.")


def private_storage_callable():
    """The storage of proposal files (a callable, so tests' settings apply and migrations stay
    free of paths)."""
    return PrivateStorage()


def proposal_file_name(instance, filename: str) -> str:
    """`proposals/<2 hex>/<32 hex>.pdf`: unguessable, and unrelated to anything in a URL."""
    token = secrets.token_hex(16)
    return f"proposals/{token[:2]}/{token}.pdf"
