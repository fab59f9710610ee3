"""`mfadesk token import FILE`: SID700 tokens from an RSA .sdtid or PSKC seed file."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from mfadesk.cli.runtime import CommandError, emit_json, runtime
from mfadesk.otp.seed_files import SeedFileError, load_seed_file
from mfadesk.otp.tokencodes import normalize_serial
from mfadesk.services.token_import import ImportReport, import_seeds


def read_user_map(path: Path) -> dict[str, str]:
    """``serial,email`` rows (a header row is allowed); serials are compared as 12 digits."""
    mapping: dict[str, str] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                cells = [cell.strip() for cell in row]
                if not any(cells) or (number == 1 and cells[0].lower() in ("serial", "sn")):
                    continue
                if len(cells) != 2 or not cells[1]:
                    raise CommandError(f"{path}, line {number}: expected 'serial,email'")
                try:
                    mapping[normalize_serial(cells[0])] = cells[1]
                except ValueError:
                    raise CommandError(
                        f"{path}, line {number}: {cells[0]!r} is not a token serial"
                    ) from None
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    return mapping


def _print_summary(report: ImportReport) -> None:
    click.echo(
        f"imported {len(report.imported)}, skipped {len(report.skipped)} (already present), "
        f"rejected {len(report.rejected)}"
    )
    for rejected in report.rejected:
        click.echo(f"  rejected {rejected.serial_or_position}: {rejected.reason}")


@click.command("import")
@click.argument("seed_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--password", default=None, help="Password of the .sdtid or PSKC file.")
@click.option("--pskc-key", "pskc_key_hex", default=None, help="Pre-shared PSKC key, hex.")
@click.option(
    "--user-map",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV of serial,email: assign (and enable) those tokens.",
)
@click.option("--company", default=None, help="Company name (default: the only one).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_command(
    seed_file: Path,
    password: str | None,
    pskc_key_hex: str | None,
    user_map: Path | None,
    company: str | None,
    as_json: bool,
) -> None:
    """Import tokens; new ones are unassigned and Disabled unless --user-map assigns them.

    Tokens already present are skipped, so importing a file twice changes nothing.
    """
    try:
        pskc_key = bytes.fromhex(pskc_key_hex) if pskc_key_hex else None
    except ValueError as error:
        raise CommandError("--pskc-key must be hexadecimal") from error
    mapping = read_user_map(user_map) if user_map else {}
    try:
        contents = load_seed_file(seed_file, password, pskc_key=pskc_key)
    except SeedFileError as error:
        raise CommandError(str(error)) from error
    with runtime() as rt:
        progress = Progress(
            TextColumn("importing tokens"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        with progress:
            task = progress.add_task("import", total=len(contents.seeds))
            report = import_seeds(
                rt.transaction,
                contents,
                company,
                mapping,
                lambda: progress.advance(task),
            )
    if as_json:
        emit_json(
            {
                "format": contents.format,
                "imported": report.imported,
                "skipped": report.skipped,
                "rejected": [
                    {"serial": r.serial_or_position, "reason": r.reason} for r in report.rejected
                ],
            }
        )
    else:
        _print_summary(report)
