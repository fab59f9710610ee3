"""`mfadesk token import FILE`: SID700 tokens from an RSA .sdtid or PSKC seed file, or
tokens and their assignments from a CSV file (tokenSerialNumber,emailAddress[,seed])."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from mfadesk.cli.csv_records import open_csv
from mfadesk.cli.import_report import progress_bar, show_report
from mfadesk.cli.runtime import CommandError, emit_json, runtime
from mfadesk.domain.import_rows import TOKEN_FORM
from mfadesk.otp.seed_files import SeedFileError, load_seed_file
from mfadesk.otp.tokencodes import normalize_serial
from mfadesk.services.token_csv_import import import_token_csv
from mfadesk.services.token_import import ImportReport, import_seeds

FORMATS = ("auto", "csv", "sdtid", "pskc")


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
@click.option(
    "--format",
    "file_format",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="auto: CSV for a .csv file, else .sdtid or PSKC as the content says.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_command(
    seed_file: Path,
    password: str | None,
    pskc_key_hex: str | None,
    user_map: Path | None,
    company: str | None,
    file_format: str,
    as_json: bool,
) -> None:
    """Import tokens from a seed file (.sdtid, PSKC) or a CSV file.

    \b
    Seed files: new tokens are unassigned and Disabled unless --user-map assigns them;
    tokens already present are skipped.
    CSV (tokenSerialNumber,emailAddress[,seed], header row, UTF-8): a new serial creates
    the token, assigned and Enabled with an e-mail, else a spare, Disabled; a known spare
    is assigned to the row's user. seed is 32 hex digits (a random seed without one).
    Either way, importing a file twice changes nothing.
    """
    if file_format == "csv" or (file_format == "auto" and seed_file.suffix.lower() == ".csv"):
        if password or pskc_key_hex or user_map:
            raise CommandError("--password, --pskc-key and --user-map are for seed files, not CSV")
        _import_csv(seed_file, company, as_json)
        return
    try:
        pskc_key = bytes.fromhex(pskc_key_hex) if pskc_key_hex else None
    except ValueError as error:
        raise CommandError("--pskc-key must be hexadecimal") from error
    mapping = read_user_map(user_map) if user_map else {}
    try:
        contents = load_seed_file(seed_file, password, pskc_key=pskc_key)
    except SeedFileError as error:
        raise CommandError(str(error)) from error
    if file_format not in ("auto", contents.format):
        raise CommandError(f"{seed_file} is a {contents.format} file, not {file_format}")
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


def _import_csv(path: Path, company: str | None, as_json: bool) -> None:
    with (
        open_csv(path, TOKEN_FORM) as data,
        runtime() as rt,
        progress_bar("importing tokens", data.size) as advance,
    ):
        report = import_token_csv(
            rt.transaction,
            data.records,
            data.positions,
            company=company,
            file_name=path.name,
            on_progress=advance,
        )
    show_report(report, as_json, format="csv")
