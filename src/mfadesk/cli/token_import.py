"""`mfadesk token import FILE`: SID700 tokens from an RSA .sdtid or PSKC seed file, or
tokens and their assignments from a CSV file (tokenSerialNumber,emailAddress[,seed])."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from mfadesk.cli.csv_records import open_csv
from mfadesk.cli.import_report import progress_bar, show_report
from mfadesk.cli.runtime import CommandError, emit_json, runtime
from mfadesk.domain.import_rows import TOKEN_FORM
from mfadesk.otp.seed_files import SeedFileContents, SeedFileError, load_seed_file
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


def read_secret_file(option: str, path: Path) -> str:
    """A secret kept in a file (its first line), not on the command line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise CommandError(f"{option}: cannot read {path}: {reason}") from error
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise CommandError(f"{option}: {path} is empty")
    return lines[0]


def secret_option(name: str, value: str | None, file: Path | None) -> str | None:
    """`--NAME-file`, or `--NAME VALUE` (kept for scripts, documented as discouraged: other
    users of the machine see it and the shell history keeps it)."""
    if value is not None and file is not None:
        raise CommandError(f"give --{name} or --{name}-file, not both")
    return read_secret_file(f"--{name}-file", file) if file is not None else value


def parse_pskc_key(raw: str | None) -> bytes | None:
    try:
        return bytes.fromhex(raw.strip()) if raw else None
    except ValueError as error:
        raise CommandError("the PSKC pre-shared key must be hexadecimal") from error


def load(seed_file: Path, password: str | None, pskc_key: bytes | None) -> SeedFileContents:
    try:
        return load_seed_file(seed_file, password, pskc_key=pskc_key)
    except SeedFileError as error:
        raise CommandError(str(error)) from error


def load_asking(seed_file: Path, password: str | None, pskc_key: bytes | None) -> SeedFileContents:
    """Load the file; at a terminal, ask for the password or key it turns out to need."""
    contents = load(seed_file, password, pskc_key)
    missing = contents.missing_secret
    if missing is None or password is not None or pskc_key is not None:
        return contents
    if not sys.stdin.isatty():
        return contents  # the summary names what was missing
    if missing == "password":
        asked = click.prompt(f"Password of {seed_file.name}", hide_input=True, err=True)
        return load(seed_file, asked, None)
    asked = click.prompt(
        f"PSKC pre-shared key of {seed_file.name} (hex)", hide_input=True, err=True
    )
    return load(seed_file, None, parse_pskc_key(asked))


def _print_summary(report: ImportReport) -> None:
    click.echo(
        f"imported {len(report.imported)}, skipped {len(report.skipped)} (already present), "
        f"rejected {len(report.rejected)}"
    )
    for rejected in report.rejected:
        click.echo(f"  rejected {rejected.serial_or_position}: {rejected.reason}")


@click.command("import")
@click.argument("seed_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File whose first line is the .sdtid or PSKC file's password.",
)
@click.option(
    "--pskc-key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File holding the pre-shared PSKC key, hex.",
)
@click.option(
    "--password",
    default=None,
    help="The password itself: discouraged, other users see it (use --password-file).",
)
@click.option(
    "--pskc-key",
    "pskc_key_hex",
    default=None,
    help="The key itself, hex: discouraged, other users see it (use --pskc-key-file).",
)
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
    password_file: Path | None,
    pskc_key_file: Path | None,
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
    Either way, importing a file twice changes nothing. Without --password-file or
    --pskc-key-file, a seed file that needs one is asked for at a terminal.
    """
    if file_format == "csv" or (file_format == "auto" and seed_file.suffix.lower() == ".csv"):
        if password or pskc_key_hex or password_file or pskc_key_file or user_map:
            raise CommandError(
                "--password(-file), --pskc-key(-file) and --user-map are for seed files, not CSV"
            )
        _import_csv(seed_file, company, as_json)
        return
    password = secret_option("password", password, password_file)
    pskc_key = parse_pskc_key(secret_option("pskc-key", pskc_key_hex, pskc_key_file))
    mapping = read_user_map(user_map) if user_map else {}
    contents = load_asking(seed_file, password, pskc_key)
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
