"""``POST /oauth/token``: client credentials with a ``private_key_jwt`` assertion.

Checks, in order: the form (``invalid_request``), the grant type (``unsupported_grant_type``),
the client's authentication (``invalid_client``, 401: counted against the client IP's bucket of
refused logins, 429 once it is empty), ``client_id`` against the assertion (``invalid_grant``),
then, in the issuing transaction, the client again, the assertion's ``jti`` and the scope
(``invalid_scope``). Refused authentications and scopes are audited.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from mfadesk.api.oauth.assertions import AssertionVerifier, VerifiedAssertion, claimed_client
from mfadesk.api.responses import JSON, domain_error_response
from mfadesk.domain.errors import PayloadTooLarge
from mfadesk.domain.oauth_clients import OAuthClient, OAuthRefusal, format_scopes
from mfadesk.observability.events import refused_login, set_principal
from mfadesk.services.oauth_clients import (
    IssuedToken,
    TokenRequest,
    client_for_assertion,
    issue_access_token,
    record_token_refusal,
)
from mfadesk.wire.oauth import (
    CLIENT_CREDENTIALS,
    JWT_BEARER_ASSERTION,
    OAuthErrorBody,
    TokenResponse,
)

if TYPE_CHECKING:
    from mfadesk.api.state import AppState

log = logging.getLogger("mfadesk.api")
FORM = "application/x-www-form-urlencoded"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_json(model: BaseModel, status: int = 200) -> Response:
    body = model.__pydantic_serializer__.to_json(model)
    return Response(body, status_code=status, media_type=JSON, headers=_NO_STORE)


def refusal_response(refusal: OAuthRefusal) -> Response:
    body = OAuthErrorBody(error=refusal.error, error_description=refusal.description)
    return oauth_json(body, refusal.status)


def _bad(description: str) -> OAuthRefusal:
    return OAuthRefusal("invalid_request", description)


async def _form(request: Request) -> dict[str, str]:
    """The form's parameters; one of each (RFC 6749 §3.2), an empty one counts as absent."""
    media_type = request.headers.get("content-type", FORM).partition(";")[0].strip().lower()
    if media_type != FORM:
        raise _bad(f"The request body must be {FORM}.")
    try:
        text = (await request.body()).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as error:
        raise _bad("The form is not UTF-8 URL-encoded text.") from error
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise _bad(f"The parameter {name} is given more than once.")
        form[name] = value
    return {name: value for name, value in form.items() if value != ""}


class TokenEndpoint:
    def __init__(self, state: AppState, verifier: AssertionVerifier) -> None:
        self._state = state
        self._verifier = verifier

    async def answer(self, request: Request) -> Response:
        try:
            return await self._answer(request)
        except PayloadTooLarge as error:
            return domain_error_response(error)
        except Exception:
            log.exception("unhandled error in POST /oauth/token")
            body = OAuthErrorBody(error="server_error", error_description="Internal server error")
            return oauth_json(body, 500)

    async def _answer(self, request: Request) -> Response:
        source_ip = request.client.host if request.client else None
        claimed: str | None = None
        try:
            form = await _form(request)
            grant_type = form.get("grant_type")
            if grant_type is None:
                raise _bad("The parameter grant_type is missing.")
            if grant_type != CLIENT_CREDENTIALS:
                raise OAuthRefusal(
                    "unsupported_grant_type", f"Only {CLIENT_CREDENTIALS} is supported."
                )
            assertion = form.get("client_assertion")
            claimed = claimed_client(assertion) if assertion else form.get("client_id")
            client, verified = await self._authenticate(form, claimed)
            set_principal(client.id)
            token_request = TokenRequest(
                client=client,
                jti=verified.jti,
                assertion_expires=verified.expires,
                requested_scope=form.get("scope"),
                source_ip=source_ip,
            )
            issued = await self._state.db.run(_issue, self._state, token_request)
        except OAuthRefusal as refusal:
            return await self._refuse(refusal, claimed, source_ip)
        body = TokenResponse(
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            scope=format_scopes(issued.scopes),
        )
        return oauth_json(body)

    async def _authenticate(
        self, form: dict[str, str], claimed: str | None
    ) -> tuple[OAuthClient, VerifiedAssertion]:
        assertion_type, assertion = form.get("client_assertion_type"), form.get("client_assertion")
        if assertion_type is None or assertion is None:
            raise OAuthRefusal(
                "invalid_client", "No client authentication: client_assertion is required."
            )
        if assertion_type != JWT_BEARER_ASSERTION:
            raise OAuthRefusal(
                "invalid_client", f"Unsupported client_assertion_type: use {JWT_BEARER_ASSERTION}."
            )
        if claimed is None:
            raise OAuthRefusal("invalid_client", "The client assertion is malformed.")
        db = self._state.db
        client = await db.run(_read_client, self._state, claimed)
        if client is None or client.revoked:
            raise OAuthRefusal("invalid_client", "The client is unknown or revoked.")
        verified = self._verifier.verify(assertion, client)
        client_id = form.get("client_id")
        if client_id is not None and client_id != client.id:
            raise OAuthRefusal(
                "invalid_grant", "The client assertion was made by another client than client_id."
            )
        return client, verified

    async def _refuse(
        self, refusal: OAuthRefusal, claimed: str | None, source_ip: str | None
    ) -> Response:
        state = self._state
        if refusal.error == "invalid_client":
            refused_login("oauth", refusal.error, claimed)
            retry = await state.failure_buckets.take(source_ip or "unknown")
            if retry is not None:
                body = OAuthErrorBody(
                    error="temporarily_unavailable",
                    error_description=(
                        "Too many failed client authentications from this address; "
                        f"retry after {retry} seconds."
                    ),
                )
                response = oauth_json(body, 429)
                response.headers["Retry-After"] = str(retry)
                return response
        if refusal.error in ("invalid_client", "invalid_scope", "invalid_grant"):
            await state.db.run(
                record_token_refusal, state.db.unit_of_work, state.env, claimed, source_ip, refusal
            )
        return refusal_response(refusal)


def _read_client(state: AppState, client_id: str) -> OAuthClient | None:
    with state.db.unit_of_work(readonly=True) as uow:
        return client_for_assertion(uow, client_id)


def _issue(state: AppState, request: TokenRequest) -> IssuedToken:
    with state.db.unit_of_work() as uow:
        return issue_access_token(uow, state.env, request)
