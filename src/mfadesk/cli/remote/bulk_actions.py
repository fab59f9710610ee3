"""What one bulk row does: the action's calls through the SDK, and the line it leaves in the
results file (``detail``)."""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.cli.remote.actions import (
    IssuedCode,
    UserDirectory,
    assign_hardware_token,
    delete_hardware_token,
    disable_emergency_tokencode,
    enable_emergency_tokencode,
    set_ds100,
    set_hardware_token,
    set_user_status,
    unassign_hardware_token,
)
from mfadesk.cli.remote.bulk_rows import BulkRow
from mfadesk.client import AsyncAdminClient


@dataclass(frozen=True, slots=True)
class Applied:
    user_id: str
    detail: str
    issued: IssuedCode | None = None  # eac-enable: goes to the codes file, and only there


async def apply(client: AsyncAdminClient, users: UserDirectory, row: BulkRow) -> Applied:
    action, user, serial = row.action, row.user, row.serial
    if action == "eac-enable":
        assert row.validity is not None
        ref, issued = await enable_emergency_tokencode(client, users, user, row.validity)
        detail = (
            f"emergencyTokencodeId {issued.emergencyTokencodeId}, until {issued.expirationDate}"
        )
        if getattr(issued, "oneTimeUse", False):
            detail += ", one-time use"
        return Applied(ref.id, detail, issued)
    if action == "eac-disable":
        done = await disable_emergency_tokencode(client, users, user, row.eac_id or None)
        code = done.emergency_tokencode_id
        detail = f"emergencyTokencodeId {code} disabled" if code else "no current code"
        return Applied(done.user.id, detail)
    if action in ("token-enable", "token-disable"):
        status = await set_hardware_token(client, users, user, serial, action == "token-enable")
        return Applied(status.userId, f"{status.tokenSerialNumber} {status.tokenStatus}")
    if action == "token-assign":
        assigned = await assign_hardware_token(client, users, user, serial, row.name or None)
        detail = f"{serial} assigned as {assigned.tokenName!r}, {assigned.tokenStatus}"
        return Applied(assigned.userId, detail)
    if action == "token-unassign":
        unassigned = await unassign_hardware_token(client, users, user, serial)
        return Applied(unassigned.userId, f"{serial} {unassigned.tokenState}, Disabled")
    if action == "token-delete":
        was = await delete_hardware_token(client, users, user or None, serial)
        holder = was.assignedUserEmail or was.userId or "nobody (spare)"
        return Applied(was.userId or "", f"{serial} deleted (was assigned to {holder})")
    if action in ("user-enable", "user-disable"):
        changed = await set_user_status(client, users, user, action == "user-enable")
        return Applied(changed.id, changed.userStatus)
    credentials = await set_ds100(client, users, user, row.device, action == "ds100-enable")
    detail = ", ".join(f"{c.tokenSerialNumber} {c.tokenStatus}" for c in credentials)
    return Applied(credentials[0].userId if credentials else "", detail)
