"""WAL checkpoints for a serving SQLite database, taken off the request path.

Left to itself SQLite copies the write-ahead log back into the database file inside the commit
that crosses its threshold (1000 pages by default): with an audit row, its indexes and the
changed object, that is every couple of hundred write transactions, and that commit — with every
request queued behind it — waits for the copy and its fsyncs. While the server runs, this
thread of its own does it instead, often and in the background (a PASSIVE checkpoint never
blocks writers or readers); the connections that serve requests keep a far higher threshold
only as a backstop should this thread fall behind.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

INTERVAL_SECONDS = 0.05
BACKSTOP_PAGES = 10_000

log = logging.getLogger("mfadesk.store")


class WalCheckpointer:
    def __init__(self, path: str, interval: float = INTERVAL_SECONDS) -> None:
        self._path = path
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="mfadesk-wal-checkpoint", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stop.wait(self._interval):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as error:  # e.g. another process is checkpointing
                    log.debug("WAL checkpoint skipped: %s", error)
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            log.exception("WAL checkpoints stopped; the backstop threshold takes over")
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def defer_checkpoints(dbapi_connection: sqlite3.Connection) -> None:
    """For the connection whose commits the checkpointer relieves."""
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}").fetchall()
