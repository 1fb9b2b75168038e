"""Where a holdings upload's file, options and preview are stored (the upload's and the
import's shared ground), read back, and removed. Conventions: docs/lots.md."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from portfolios.lots.imports import ImportMode
from portfolios.models import ImportBatch


def no_progress(percent: int, message: str = "") -> None:
    """The progress callback of a service called outside a job."""
    return None


@dataclass
class UploadOptions:
    mode: str = ImportMode.ADD
    default_account_id: int | None = None
    prices: dict[str, Decimal] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "mode": self.mode,
            "default_account_id": self.default_account_id,
            "prices": {t: str(p) for t, p in self.prices.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping) -> UploadOptions:
        return cls(
            mode=data.get("mode", ImportMode.ADD),
            default_account_id=data.get("default_account_id"),
            prices={t: Decimal(p) for t, p in data.get("prices", {}).items()},
        )


def stored_path(batch: ImportBatch, what: str) -> str:
    """Where a batch's files are stored: a folder named by a keyed hash of the batch id, so
    that knowing a preview URL (it carries the public id) does not tell where the file is."""
    folder = hmac.new(
        settings.SECRET_KEY.encode(), f"holdings:{batch.public_id}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    if what == "upload":
        suffix = PurePath(batch.filename).suffix.lower()[:8]
        return f"holdings/{folder}/upload{suffix}"
    return f"holdings/{folder}/{what}.json"


def file_store(path: str, data: bytes) -> None:
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(data))


def holdings_upload_content(*, batch: ImportBatch) -> bytes:
    path = stored_path(batch, "upload")
    if not default_storage.exists(path):
        raise ValidationError("The uploaded file is no longer stored: upload it again.")
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def holdings_upload_options(*, batch: ImportBatch) -> UploadOptions:
    path = stored_path(batch, "options")
    if not default_storage.exists(path):
        return UploadOptions()
    with default_storage.open(path, "rb") as handle:
        return UploadOptions.from_json(json.loads(handle.read()))


def holdings_preview_load(*, batch: ImportBatch) -> dict:
    """What the preview shows (stored when the file was checked): summary and first rows."""
    path = stored_path(batch, "preview")
    if not default_storage.exists(path):
        return {}
    with default_storage.open(path, "rb") as handle:
        return json.loads(handle.read())


def holdings_batch_files_delete(*, batch: ImportBatch) -> None:
    """Remove the stored file, options and preview of a batch (a refused or failed upload)."""
    for what in ("upload", "options", "preview"):
        path = stored_path(batch, what)
        if default_storage.exists(path):
            default_storage.delete(path)
