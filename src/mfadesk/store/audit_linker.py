"""Links committed audit rows into the hash chain in the background (``MFADESK_AUDIT_LINK``
``after-commit``, PostgreSQL's default; see store/audit.py).

A unit of work that committed pending audit rows wakes the linker; it waits a moment so that the
commits arriving together are linked by one transaction, then links every committed pending row.
Each process has one; several processes' linkers take turns on the head row. `close` links what
is left, so a command's rows are in the chain when it exits.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from mfadesk.store.audit import AuditRepository

log = logging.getLogger("mfadesk.store")
GATHER_SECONDS = 0.02  # how long a wake-up waits for more commits to link along
RETRY_SECONDS = 1.0  # after a failure (the database away): try again, rows stay pending


class AuditLinker:
    def __init__(self, engine: Engine, gather_seconds: float = GATHER_SECONDS) -> None:
        self._engine = engine
        self._gather = gather_seconds
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()  # set by `close`; cuts a gathering or retry wait short

    def committed(self) -> None:
        """A unit of work committed pending rows: link them soon."""
        if self._thread is None:
            with self._lock:
                if self._thread is None and not self._stopping.is_set():
                    self._thread = threading.Thread(
                        target=self._run, name="mfadesk-audit-linker", daemon=True
                    )
                    self._thread.start()
        self._wake.set()

    def link_now(self) -> int:
        """Link every committed pending row; how many."""
        with self._engine.begin() as connection:
            return AuditRepository(connection, deferred=True).chain_pending()

    def _run(self) -> None:
        while not self._stopping.is_set():  # checked after each round: `close` may have
            self._wake.wait()  # set `_wake` just before the round cleared it
            if self._stopping.wait(self._gather):
                return  # `close` links what is left
            self._wake.clear()  # commits from here on wake the next round
            try:
                self.link_now()
            except Exception:
                log.warning("audit rows left pending; linking again shortly", exc_info=True)
                self._wake.set()
                if self._stopping.wait(RETRY_SECONDS):
                    return

    def close(self) -> None:
        """Stop the thread, then link what is still pending (a command's last writes)."""
        with self._lock:
            self._stopping.set()
            thread, self._thread = self._thread, None
        self._wake.set()
        if thread is not None:
            thread.join()
            try:
                self.link_now()
            except Exception:
                log.warning("audit rows left pending for the next reader", exc_info=True)
