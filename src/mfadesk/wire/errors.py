"""Error bodies: the application format and the security filter's format."""

from __future__ import annotations

from mfadesk.wire.base import ResponseModel


class ErrorBody(ResponseModel):
    """``{"code": "404 NOT_FOUND", "description": "User <id> not found"}``."""

    code: str
    description: str


class AuthErrorBody(ResponseModel):
    """What the security filter answers for a JWT it does not accept (always 403)."""

    timestamp: int
    status: int
    error: str
    message: str
    path: str
