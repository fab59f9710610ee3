"""`mfadesk api bulk FILE.csv`: one operation per row, concurrent, resumable.

The format of FILE is in `bulk_rows`. Beside FILE (unless told otherwise) go its journal
(``<stem>.journal``: rows done) and its results (``<stem>.results.csv``: every row with its
outcome). Emergency tokencodes go only to ``--codes PATH`` (mode 0600). Running the same
command again resumes: rows done are skipped (failed ones too, unless ``--retry-failed``).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from mfadesk.cli.remote.bulk_report import show_summary, summarize, write_results
from mfadesk.cli.remote.bulk_rows import BulkFileError, BulkRow, read_bulk_file
from mfadesk.cli.remote.bulk_run import BulkRunner, StopRun
from mfadesk.cli.remote.codes_file import CodesFile, CodesFileError
from mfadesk.cli.remote.journal import Entry, Journal, JournalError
from mfadesk.cli.remote.output import emit_json
from mfadesk.cli.remote.session import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    Remote,
    remote,
    remote_options,
)
from mfadesk.client import AsyncAdminClient


class BulkProgress:
    """The progress bar (stderr, terminals only) and this run's counts."""

    def __init__(self, total: int, shown: bool) -> None:
        self.this_run: Counter[str] = Counter()
        self._bar = Progress(
            TextColumn("[bold]bulk"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=not shown,
        )
        self._task = self._bar.add_task("bulk", total=total, failed=0)

    def done(self, row: BulkRow, entry: Entry) -> None:
        self.this_run["ok" if entry.ok else "failed"] += 1
        self._bar.update(self._task, advance=1, failed=self.this_run["failed"])

    def __enter__(self) -> BulkProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()


async def _run(runner_of: BulkRunnerFactory, todo: list[BulkRow]) -> tuple[StopRun | None, bool]:
    """Run the rows; the first SIGINT/SIGTERM lets rows in flight finish, a second stops now."""
    runner = runner_of()
    loop = asyncio.get_running_loop()
    interrupted = False

    def interrupt() -> None:
        nonlocal interrupted
        interrupted = True
        runner.stop.set()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupt)
    await runner.run(todo)
    return runner.stopped_by, interrupted


class BulkRunnerFactory:
    def __init__(self, client: AsyncAdminClient, journal: Journal, codes: CodesFile | None,
                 concurrency: int, progress: BulkProgress) -> None:  # fmt: skip
        self._args = (client, journal, codes)
        self._concurrency = concurrency
        self._progress = progress

    def __call__(self) -> BulkRunner:  # inside the event loop: the runner makes asyncio objects
        return BulkRunner(*self._args, concurrency=self._concurrency, on_done=self._progress.done)


def _open_codes(session: Remote, todo: list[BulkRow], path: Path | None) -> CodesFile | None:
    if not any(row.action == "eac-enable" for row in todo):
        return None
    if path is None:
        raise session.usage("eac-enable rows need --codes PATH (a private file for the codes)")
    try:
        return CodesFile(path)
    except CodesFileError as error:
        raise session.usage(str(error)) from None


def _execute(
    client: AsyncAdminClient,
    journal: Journal,
    codes: CodesFile | None,
    todo: list[BulkRow],
    concurrency: int,
    shown: bool,
) -> tuple[StopRun | None, bool, dict[str, Any]]:
    stopped, interrupted = None, False
    started = time.monotonic()
    with BulkProgress(len(todo), shown) as progress:
        factory = BulkRunnerFactory(client, journal, codes, concurrency, progress)

        async def main() -> tuple[StopRun | None, bool]:
            async with client:
                return await _run(factory, todo)

        try:
            stopped, interrupted = asyncio.run(main())
        except KeyboardInterrupt:  # the second signal
            interrupted = True
    seconds = time.monotonic() - started
    rows = sum(progress.this_run.values())
    this_run = {
        "ok": progress.this_run["ok"],
        "failed": progress.this_run["failed"],
        "seconds": round(seconds, 3),
        "rowsPerSecond": round(rows / seconds, 1) if seconds > 0 else 0.0,
        "requests": client.stats.requests,
        "rateLimited": client.stats.rate_limited,
    }
    return stopped, interrupted, this_run


@click.command("bulk")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--codes",
    "codes_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Private CSV (mode 0600) for issued emergency tokencodes; eac-enable needs it.",
)
@click.option(
    "--results",
    "results_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Every row's outcome (default: <FILE stem>.results.csv beside FILE).",
)
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rows done, for resuming (default: <FILE stem>.journal beside FILE).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Rows in flight at once (the service's rate limit still applies).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Run at most N more rows, then stop.")
@click.option("--retry-failed", is_flag=True, help="Run the rows that failed before again.")
@click.option(
    "--days",
    "default_days",
    type=click.IntRange(1, 7),
    help="Validity of eac-enable rows with no days, hours or minutes.",
)
@remote_options
def bulk(
    file: Path,
    codes_path: Path | None,
    results_path: Path | None,
    journal_path: Path | None,
    concurrency: int,
    limit: int | None,
    retry_failed: bool,
    default_days: int | None,
    key_file: Path | None,
    as_json: bool,
) -> None:
    """Apply FILE.csv, one operation per row (columns action, user, serial, name, device,
    days, hours, minutes, one_time, eac_id; see docs/sdk.md).

    \b
    Actions: eac-enable, eac-disable, token-enable, token-disable, token-assign,
    token-unassign, token-delete, ds100-enable, ds100-disable, user-enable, user-disable.
    Run the same command again to resume after an interruption.
    Exit: 0 all rows ok, 3 some rows failed, 130 interrupted, 4 service unreachable.
    """  # fmt: skip
    session = remote(key_file, as_json)
    client = session.client()  # a bad key file is a usage error before anything is written
    shown = not session.as_json and Console(stderr=True).is_terminal
    try:
        parsed = read_bulk_file(file, default_days)
    except BulkFileError as error:
        raise session.usage(f"{file} cannot be run, nothing was sent:\n{error}") from None
    rows = parsed.rows
    results_path = results_path or file.with_name(file.stem + ".results.csv")
    journal_path = journal_path or file.with_name(file.stem + ".journal")
    own_files = {p.resolve() for p in (file, results_path, journal_path)}
    if codes_path is not None and codes_path.resolve() in own_files:
        raise session.usage("--codes must be a file of its own")
    try:
        journal = Journal(journal_path, parsed.sha256, len(rows))
    except JournalError as error:
        raise session.usage(str(error)) from None
    with journal:
        done = journal.entries
        todo = [r for r in rows if r.number not in done or (retry_failed and not done[r.number].ok)]
        skipped = len(rows) - len(todo)
        todo = todo[:limit] if limit else todo
        codes = _open_codes(session, todo, codes_path)
        try:
            journal.start()
        except JournalError as error:
            raise session.usage(str(error)) from None
        try:
            stopped, interrupted, this_run = _execute(
                client, journal, codes, todo, concurrency, shown
            )
        finally:
            if codes is not None:
                codes.close()
            write_results(results_path, rows, journal.entries)
        summary = summarize(rows, journal.entries, skipped, this_run)
    summary.update(
        results=str(results_path),
        codes=str(codes_path) if codes is not None else None,
        journal=str(journal_path),
        interrupted=interrupted,
        stoppedBy=str(stopped) if stopped else None,
    )
    if interrupted or stopped or summary["pending"]:
        summary["note"] = "rows left: run the same command again to resume"
    if session.as_json:
        emit_json(summary)
    else:
        show_summary(summary)
    if stopped is not None:
        raise session.tagged(stopped.error)
    if interrupted:
        raise SystemExit(EXIT_INTERRUPTED)
    raise SystemExit(EXIT_PARTIAL if summary["failed"] else EXIT_OK)
