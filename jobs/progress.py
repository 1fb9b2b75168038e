"""Progress and lease writes on a database connection of their own.

A runner works inside one transaction (an import is all or nothing); its progress must be
visible to the page polling it while that transaction is open, so it is written on a second
connection in autocommit, cloned from `default`. On SQLite (development and the eager test
suite) a second writer would wait on the runner's lock, so progress goes through `default`
there and shows when the runner commits. If the second connection cannot see the job row (it
was created in a transaction not yet committed, as in tests), the write falls back to
`default` too.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)
RUNNING = "running"  # the status of a row whose lease is live (jobs and batch items alike)


class ProgressWriter:
    """One job's progress/lease writer. Not thread-safe: one per thread."""

    def __init__(self) -> None:
        self._own = None

    def _connection(self):
        if connections["default"].vendor == "sqlite":
            return None
        if self._own is None:
            self._own = connections.create_connection("default")
        return self._own

    def _table(self):
        from jobs.models import Job

        return Job._meta.db_table

    def progress(self, *, job_pk: int, percent: int, message: str, until) -> bool:
        """Write progress and renew the lease; True when the job's cancellation was asked."""
        from jobs.models import Job, JobStatus

        own = self._connection()
        if own is not None:
            q = own.ops.quote_name
            with own.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {q(self._table())} SET {q('progress')} = %s, {q('message')} = %s, "
                    f"{q('lease_until')} = %s WHERE {q('id')} = %s AND {q('status')} = %s",
                    [percent, message, until, job_pk, JobStatus.RUNNING.value],
                )
                if cursor.rowcount == 1:
                    cursor.execute(
                        f"SELECT {q('cancel_requested_at')} FROM {q(self._table())} "
                        f"WHERE {q('id')} = %s",
                        [job_pk],
                    )
                    row = cursor.fetchone()
                    return bool(row and row[0])
        rows = Job.objects.filter(pk=job_pk, status=JobStatus.RUNNING)
        rows.update(progress=percent, message=message, lease_until=until)
        return rows.filter(cancel_requested_at__isnull=False).exists()

    def renew(self, *, job_pk: int, until) -> None:
        """Extend the lease of a still-running job (the heartbeat)."""
        from jobs.models import Job

        self.renew_lease(model=Job, column="lease_until", pk=job_pk, until=until)

    def renew_lease(self, *, model, column: str, pk: int, until) -> None:
        """Extend the lease held in `model.column` of a row that is still running: any leased
        status row (a job, a batch rebalance's account) shares this one renewal."""
        own = self._connection()
        if own is None:
            return
        q = own.ops.quote_name
        with own.cursor() as cursor:
            cursor.execute(
                f"UPDATE {q(model._meta.db_table)} SET {q(column)} = %s "
                f"WHERE {q('id')} = %s AND {q('status')} = %s",
                [until, pk, RUNNING],
            )

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None


class Heartbeat:
    """Renews a running row's lease every third of the lease from a thread, so a runner busy in
    one long step (an import, a solve) keeps its row; it dies with the worker process, and then
    the lease runs out. `model.column` holds the lease (`Job.lease_until` by default)."""

    def __init__(
        self, *, pk: int, lease_seconds: int, model=None, column: str = "lease_until"
    ) -> None:
        if model is None:
            from jobs.models import Job

            model = Job
        self.model, self.column, self.pk = model, column, pk
        self.lease_seconds = lease_seconds
        self._stop = threading.Event()
        name = f"{model._meta.model_name}-{pk}-lease"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def __enter__(self) -> Heartbeat:
        if connections["default"].vendor != "sqlite":
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        writer = ProgressWriter()
        try:
            while not self._stop.wait(max(self.lease_seconds / 3, 0.2)):
                until = timezone.now() + timedelta(seconds=self.lease_seconds)
                try:
                    writer.renew_lease(
                        model=self.model, column=self.column, pk=self.pk, until=until
                    )
                except Exception:  # a lost connection: try again next beat
                    logger.warning(
                        "lease renewal of %s %s failed", self.model.__name__, self.pk, exc_info=True
                    )
                    writer.close()
        finally:
            writer.close()
