"""User event log export bodies."""

from __future__ import annotations

from mfadesk.wire.base import ResponseModel, Timestamp, Uuid
from mfadesk.wire.paging import PageMetadata


class UserEventLogEntry(ResponseModel):
    """One authentication step. Never a code or passcode; ``null`` where unknown."""

    eventId: Uuid
    eventLogDate: Timestamp
    userId: Uuid | None
    userName: str
    authenticationMethod: str | None
    result: str
    reason: str
    tokenSerialNumber: str | None
    clientId: str | None
    agentName: str
    authnAttemptId: str | None
    sourceIPAddress: str | None


class UserEventLogPage(PageMetadata):
    userEventLogExportEntries: list[UserEventLogEntry]

    @property
    def elements(self) -> list[UserEventLogEntry]:
        """The entries under the name every other page body uses (not on the wire)."""
        return self.userEventLogExportEntries
