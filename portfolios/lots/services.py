"""Writes of the tax-lot area, by module: holdings uploads (`holdings_upload`), their stored
files (`holdings_files`), imports (`holdings_import`), trades (`trades`) and the household
replay (`replay`). Re-exported here because pages, the API, the demo and many tests call them
as `services.<name>`; new code may import from the module that defines a name.
Conventions: docs/lots.md.
"""

from __future__ import annotations

from portfolios.lots.holdings_files import (
    UploadOptions,
    holdings_batch_files_delete,
    holdings_preview_load,
    holdings_upload_content,
    holdings_upload_options,
)
from portfolios.lots.holdings_import import (
    HoldingsImportResult,
    holdings_confirm,
    holdings_import,
)
from portfolios.lots.holdings_upload import holdings_check_run, holdings_recheck, holdings_upload
from portfolios.lots.replay import ReplayResult, household_replay
from portfolios.lots.trades import trade_record, trades_record

__all__ = [
    "HoldingsImportResult",
    "ReplayResult",
    "UploadOptions",
    "holdings_batch_files_delete",
    "holdings_check_run",
    "holdings_confirm",
    "holdings_import",
    "holdings_preview_load",
    "holdings_recheck",
    "holdings_upload",
    "holdings_upload_content",
    "holdings_upload_options",
    "household_replay",
    "trade_record",
    "trades_record",
]
