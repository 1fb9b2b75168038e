"""Types the jobs share with the services they run."""

from __future__ import annotations

from collections.abc import Callable

ProgressCallback = Callable[[int, str], None]
"""`progress(percent, message)`: a long service reports how far it is (0-100)."""
