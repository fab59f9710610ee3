"""What a bulk run leaves behind: the results file and the summary (table or JSON)."""

from __future__ import annotations

import csv
import os
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from mfadesk.cli.remote.bulk_rows import ACTIONS, BulkRow
from mfadesk.cli.remote.journal import Entry

RESULT_COLUMNS = (
    "row", "action", "user", "serial", "name", "device", "days", "hours", "minutes",
    "one_time", "outcome", "status", "code", "description", "userId", "detail",
)  # fmt: skip
SHOWN_FAILURES = 20


def outcome(entry: Entry | None) -> str:
    return "pending" if entry is None else ("ok" if entry.ok else "failed")


def write_results(path: Path, rows: list[BulkRow], entries: dict[int, Entry]) -> None:
    """Every row in file order with its outcome; staged beside, then renamed into place."""
    staged = path.with_name(f".{path.name}.partial")
    with staged.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(RESULT_COLUMNS)
        for row in rows:
            entry = entries.get(row.number)
            done: tuple[object, ...] = ("",) * 5
            if entry is not None:
                done = (
                    entry.status or "",
                    entry.code,
                    entry.description,
                    entry.userId,
                    entry.detail,
                )
            out.writerow((row.number, *row.cells().values(), outcome(entry), *done))
        handle.flush()
        os.fsync(handle.fileno())
    staged.replace(path)


def summarize(
    rows: list[BulkRow], entries: dict[int, Entry], skipped: int, this_run: dict[str, Any]
) -> dict[str, Any]:
    by_action: dict[str, Counter[str]] = {action: Counter() for action in ACTIONS}
    failures: list[dict[str, Any]] = []
    for row in rows:
        entry = entries.get(row.number)
        by_action[row.action][outcome(entry)] += 1
        if entry is not None and not entry.ok:
            failures.append(
                {
                    "row": row.number,
                    "action": row.action,
                    "user": row.user,
                    "status": entry.status,
                    "code": entry.code,
                    "description": entry.description,
                }
            )
    totals: Counter[str] = sum(by_action.values(), Counter())
    return {
        "rows": len(rows),
        "ok": totals["ok"],
        "failed": totals["failed"],
        "pending": totals["pending"],
        "skipped": skipped,
        "thisRun": this_run,
        "byAction": {action: dict(c) for action, c in by_action.items() if c},
        "failures": failures,
    }


def show_summary(summary: dict[str, Any]) -> None:
    console = Console()
    table = Table(title="Bulk run", title_justify="left")
    table.add_column("action")
    for name in ("ok", "failed", "pending"):
        table.add_column(name, justify="right")
    for action, counts in summary["byAction"].items():
        table.add_row(action, *(str(counts.get(k, 0)) for k in ("ok", "failed", "pending")))
    table.add_row("total", *(str(summary[k]) for k in ("ok", "failed", "pending")), style="bold")
    console.print(table)
    failures = summary["failures"]
    if failures:
        columns = ("row", "action", "user", "code", "description")
        shown = Table(title=f"Failed rows ({len(failures)})", title_justify="left")
        for name in columns:
            shown.add_column(name, overflow="fold")
        for failure in failures[:SHOWN_FAILURES]:
            shown.add_row(*(str(failure[k]) for k in columns))
        console.print(shown)
    run = summary["thisRun"]
    console.print(
        f"this run: {run['ok']} ok, {run['failed']} failed in {run['seconds']} s "
        f"({run['rowsPerSecond']} rows/s, {run['requests']} requests, "
        f"{run['rateLimited']} answered 429)"
    )
    for name in ("results", "codes", "journal", "note"):
        if summary.get(name):
            console.print(f"{name}: {summary[name]}")
