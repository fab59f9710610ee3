"""`mfadesk api eac …`: emergency tokencodes (emergency access codes)."""

from __future__ import annotations

from pathlib import Path

import click

from mfadesk.cli.remote.actions import (
    UserDirectory,
    Validity,
    disable_emergency_tokencode,
    enable_emergency_tokencode,
    is_user_id,
)
from mfadesk.cli.remote.codes_file import CodesFile, CodesFileError
from mfadesk.cli.remote.output import body, emit_json, show_record
from mfadesk.cli.remote.session import remote, remote_options


@click.group("eac")
def eac_group() -> None:
    """Emergency tokencodes."""


@eac_group.command("enable")
@click.option("--user", "user", required=True, help="The user's e-mail or id.")
@click.option("--days", type=click.IntRange(1, 7), default=None, help="Valid for N days (1-7).")
@click.option("--hours", type=click.IntRange(1, 168), default=None, help="Valid for N hours.")
@click.option("--minutes", type=click.IntRange(1, 10080), default=None, help="Valid for N minutes.")
@click.option(
    "--one-time/--reusable",
    "one_time",
    default=None,
    help="Usable once, or until it expires (default: the company's setting).",
)
@click.option(
    "--codes",
    "codes_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append the code to this private CSV file (mode 0600) instead of printing it.",
)
@remote_options
def enable(
    user: str,
    days: int | None,
    hours: int | None,
    minutes: int | None,
    one_time: bool | None,
    codes_path: Path | None,
    key_file: Path | None,
    as_json: bool,
) -> None:
    """Issue an emergency tokencode, shown once; each call retires the user's previous code.

    \b
    --days N alone: PUT v1/users/{id}/emergencyTokencode (expirationDays).
    --hours, --minutes, --one-time or --reusable: PUT v2/users/{id}/emergencyTokencode;
    several durations add up (--days 1 --hours 12 asks for 36 hours), 7 days at most.
    """
    session = remote(key_file, as_json)
    try:
        validity = Validity(days=days, hours=hours, minutes=minutes, one_time=one_time)
    except ValueError as problem:
        raise session.usage(f"{problem} (--days N, --hours N, --minutes N)") from None
    codes = None
    if codes_path is not None:
        try:
            codes = CodesFile(codes_path)
        except CodesFileError as error:
            raise session.usage(str(error)) from None
    hint = "a code may have been issued: run the command again to issue a new one"
    ref, issued = session.run(
        lambda client: enable_emergency_tokencode(client, UserDirectory(client), user, validity),
        hint=hint,
    )
    shown = {"userId": ref.id, **body(issued)}
    if codes is not None:
        with codes:
            codes.write("-", ref.email or "", ref.id, issued)
        shown["emergencyTokencode"] = f"written to {codes_path}"
    if session.as_json:
        emit_json(shown)
    else:
        show_record(f"Emergency tokencode for {ref.email or ref.id}", shown)


@eac_group.command("disable")
@click.option("--user", "user", required=True, help="The user's e-mail (or id with --eac-id).")
@click.option("--eac-id", default=None, help="The code's id (default: the user's current one).")
@remote_options
def disable(user: str, eac_id: str | None, key_file: Path | None, as_json: bool) -> None:
    """Remove the user's emergency tokencodes online
    (DELETE v1/users/{id}/emergencyTokencode/{eacId}).

    The current code's id comes from the user lookup; a user without one is left as is.
    """
    session = remote(key_file, as_json)
    if is_user_id(user) and not eac_id:
        raise session.usage(
            "give the user's e-mail (the current code's id comes from the user lookup), "
            "or the code's id with --eac-id"
        )
    done = session.run(
        lambda client: disable_emergency_tokencode(client, UserDirectory(client), user, eac_id)
    )
    result = {
        "userId": done.user.id,
        "emergencyTokencodeId": done.emergency_tokencode_id,
        "emergencyAccessStatus": "Disabled",
        "changed": done.emergency_tokencode_id is not None,
    }
    if session.as_json:
        emit_json(result)
    else:
        show_record(f"Emergency access of {done.user.email or done.user.id}", result)
