"""Administration audit log export bodies."""

from __future__ import annotations

from typing import Literal

from mfadesk.wire.base import ResponseModel, Timestamp, Uuid
from mfadesk.wire.paging import PageMetadata


class AdminLogEntry(ResponseModel):
    """One audit event. Every field is always present; ``adminUserName``/``adminUserRole`` are
    ``null`` for a refused request whose key is unknown, ``sourceIPAddress`` when unknown."""

    eventId: Uuid
    eventLogDate: Timestamp
    adminUserName: str | None
    adminUserRole: str | None
    activityKey: str
    result: Literal["SUCCESS", "FAILURE", "DENIED"]
    message: str
    targetObject1Id: str
    targetObject1Name: str
    targetObject1Type: str
    sourceIPAddress: str | None


class AdminLogPage(PageMetadata):
    elements: list[AdminLogEntry]
