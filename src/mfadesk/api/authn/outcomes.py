"""Status codes the authentication endpoints answer."""

from __future__ import annotations

from pydantic import BaseModel

from mfadesk.api.endpoint import Outcome
from mfadesk.wire.errors import AuthErrorBody, ErrorBody

BAD_REQUEST = Outcome("Malformed request body or invalid value.", ErrorBody)
UNAUTHORIZED = Outcome("Missing, unknown or revoked client-key (filter body).", AuthErrorBody)
SERVER_ERROR = Outcome("Internal server error.", ErrorBody)


def AUTHN_OUTCOMES(model: type[BaseModel]) -> dict[int, Outcome]:  # noqa: N802
    """200 even for a wrong credential (``attemptResponseCode``: FAIL); HTTP errors are for
    the transport: 400, 401, 500."""
    return {
        200: Outcome("The attempt's state after this call.", model),
        400: BAD_REQUEST,
        401: UNAUTHORIZED,
        500: SERVER_ERROR,
    }
