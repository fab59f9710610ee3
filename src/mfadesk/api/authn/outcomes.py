"""Status codes the authentication endpoints answer."""

from __future__ import annotations

from pydantic import BaseModel

from mfadesk.api.endpoint import Outcome
from mfadesk.wire.errors import AuthErrorBody, ErrorBody

BAD_REQUEST = Outcome("Malformed request body or invalid value.", ErrorBody)
UNAUTHORIZED = Outcome("Missing, unknown or revoked client-key (filter body).", AuthErrorBody)
SERVER_ERROR = Outcome("Internal server error.", ErrorBody)
TOO_MANY = Outcome(
    "The client-key's requests are throttled: resources and offlineData, and a malformed body "
    "on the others (which otherwise answer their uniform FAIL); or the client IP has sent too "
    "many unknown or revoked client-keys.",
    ErrorBody,
)


def authn_outcomes(model: type[BaseModel], *, with_body: bool = True) -> dict[int, Outcome]:
    """200 even for a wrong credential (``attemptResponseCode``: FAIL); HTTP errors are for
    the transport: 400 (a request body that does not parse), 401, 429, 500."""
    outcomes = {200: Outcome("The attempt's state after this call.", model)}
    if with_body:
        outcomes[400] = BAD_REQUEST
    return {**outcomes, 401: UNAUTHORIZED, 429: TOO_MANY, 500: SERVER_ERROR}
