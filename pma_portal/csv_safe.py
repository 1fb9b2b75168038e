"""The product's one CSV writer, re-exported for the portal's code.

It lives in `pma_engine.csv_safe` because the engine's `form8949` command line writes CSV too
and the engine imports nothing of Django (importing `pma_portal` would start the Celery app).
"""

from pma_engine.csv_safe import FORMULA_STARTS, SafeCsvWriter, cell_safe, csv_safe_writer

__all__ = ("FORMULA_STARTS", "SafeCsvWriter", "cell_safe", "csv_safe_writer")
