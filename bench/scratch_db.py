"""The throwaway database every benchmark runs in: created, migrated and dropped around one
run, under a name of its own, so a benchmark never touches the development database nor the
one a concurrent test run is using. PostgreSQL when DATABASE_URL says so, else SQLite (in
memory, or a file when the benchmark wants one, as the demo has)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def django_connection():
    """Django set up with the project's settings; its default connection."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pma_portal.settings")
    import django

    django.setup()
    from django.db import connection

    return connection


@contextmanager
def scratch_database(prefix: str, *, sqlite_path: str | None = None) -> Iterator[str]:
    """A fresh migrated database named `<prefix>_<pid>` for the duration; yields its name."""
    connection = django_connection()
    old_name = connection.settings_dict["NAME"]
    name = f"{prefix}_{os.getpid()}"
    test_settings = connection.settings_dict.setdefault("TEST", {})
    test_settings["NAME"] = (sqlite_path or None) if connection.vendor == "sqlite" else name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield name
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
