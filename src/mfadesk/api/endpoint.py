"""Admin endpoints: a declaration (path, bodies, status codes) plus the one pipeline every
admin request goes through — authenticate, rate-limit, run, map errors.

The same declarations generate the OpenAPI document, so it cannot drift from the routes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from mfadesk.api.bodies import read_body
from mfadesk.api.jwt_auth import TokenRejected
from mfadesk.api.responses import (
    auth_failure_response,
    domain_error_response,
    internal_error_response,
    too_many_requests,
)
from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.errors import BadRequest, DomainError, Forbidden, NotAuthenticated
from mfadesk.domain.oauth_clients import KNOWN_SCOPES, looks_like_access_token
from mfadesk.observability.events import refused_login, set_principal
from mfadesk.services.audit import record_refusal, record_rejected_token, run_use_case
from mfadesk.services.authorization import caller_is_active
from mfadesk.services.context import Call
from mfadesk.store.unit_of_work import UnitOfWork
from mfadesk.wire.base import QueryModel, RequestModel

if TYPE_CHECKING:
    from mfadesk.api.state import AppState

ADMIN_BASE = "/AdminInterface/restapi"
log = logging.getLogger("mfadesk.api")

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M", bound=RequestModel)
Q = TypeVar("Q", bound=QueryModel)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One documented status code of an endpoint and the model of its body; `alternatives`
    are other bodies the same status may carry (the 403 of the filter and of the role check)."""

    description: str
    model: type[BaseModel] | None = None
    alternatives: tuple[type[BaseModel], ...] = ()

    @property
    def models(self) -> tuple[type[BaseModel], ...]:
        return self.alternatives if self.model is None else (self.model, *self.alternatives)


class AdminRequest:
    """What a handler gets: the HTTP request, the app's state and the service call."""

    __slots__ = ("call", "http", "state")

    def __init__(self, http: Request, state: AppState, call: Call) -> None:
        self.http = http
        self.state = state
        self.call = call

    def path(self, name: str) -> str:
        return str(self.http.path_params[name])

    async def body(self, model: type[M]) -> M:
        return await read_body(self.http, model)

    def query(self, model: type[Q]) -> Q:
        """The query parameters as `model`; an empty value counts as absent."""
        params = {k: v for k, v in self.http.query_params.items() if v != ""}
        try:
            return model.model_validate(params)
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"]) or "query"
            raise BadRequest(f"{where}: {first['msg']}") from error

    async def run(
        self, fn: Callable[Concatenate[UnitOfWork, Call, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a use case in one unit of work (where: see `Database.run`)."""
        db, call = self.state.db, self.call

        def work() -> T:
            return run_use_case(db.unit_of_work, fn, call, *args, **kwargs)

        return await db.run(work)


Handler = Callable[[AdminRequest], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str  # below ADMIN_BASE, with {placeholders}
    summary: str
    handler: Handler
    request_model: type[RequestModel] | None = None
    outcomes: Mapping[int, Outcome] = field(default_factory=dict)
    tag: str = "admin"
    # The query parameters, for the OpenAPI document; the handler parses them with
    # `request.query(model)` (400 on a bad value).
    query_model: type[QueryModel] | None = None
    # The OAuth scope an access token needs here (the contract's table); API-key JWTs carry no
    # scopes: their role alone decides, unless the endpoint takes OAuth access tokens only.
    scope: str = ""
    oauth_only: bool = False

    def __post_init__(self) -> None:
        if self.scope not in KNOWN_SCOPES:
            raise ValueError(f"{self.method} {self.path}: {self.scope!r} is not a known scope")

    @property
    def full_path(self) -> str:
        return ADMIN_BASE + self.path

    def refusal(self, scopes: frozenset[str] | None) -> str | None:
        """Why a caller with these scopes (None: an API-key JWT) may not call this endpoint."""
        if scopes is None:
            return OAUTH_ONLY if self.oauth_only else None
        if self.scope not in scopes:
            return f"The access token does not carry the scope {self.scope}."
        return None


OAUTH_ONLY = "This endpoint accepts only OAuth access tokens, not API-key JWTs."


def _bearer(request: Request) -> str:
    """The bearer token of the one ``Authorization`` header, else `TokenRejected`. Several
    headers are refused: a proxy in front may have judged another one than we would."""
    headers = request.headers.getlist("authorization")
    if len(headers) > 1:
        raise TokenRejected("several Authorization headers")
    scheme, _, token = (headers[0] if headers else "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("no bearer token")
    return token.strip()


async def _refuse(
    state: AppState, request: Request, reason: str, access_id: str | None, *, audited: bool = False
) -> Response:
    """403 in the filter format, or 429 once this client IP has failed too often."""
    refused_login("admin", reason, access_id)
    source_ip = request.client.host if request.client else None
    retry = await state.failure_buckets.take(source_ip or "unknown")
    if retry is not None:
        return too_many_requests(retry)
    if audited:
        return auth_failure_response(request.url.path)
    await state.db.run(
        record_rejected_token,
        state.db.unit_of_work,
        state.env,
        access_id,
        source_ip,
        request.url.path,
        reason,
    )
    return auth_failure_response(request.url.path)


def pipeline(endpoint: Endpoint, state: AppState) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        """Every request gets the contract's bodies: whatever fails on the way in (the JWT's
        check, a rate-limit bucket, the audit of a refusal) or in the handler is a JSON 500,
        never the server's bare one."""
        try:
            return await handle(request)
        except Exception:
            log.exception("unhandled error in %s %s", endpoint.method, endpoint.path)
            return internal_error_response()

    async def handle(request: Request) -> Response:
        token_hash: str | None = None
        scopes: frozenset[str] | None = None
        try:
            bearer = _bearer(request)
            if looks_like_access_token(bearer):
                grant = await state.access_tokens.verify(bearer)
                access_id, token_hash, scopes = grant.client_id, grant.token_hash, grant.scopes
            else:
                access_id = await state.verifier.verify(bearer)
        except TokenRejected as rejected:
            return await _refuse(state, request, rejected.reason, rejected.access_id)
        set_principal(access_id)
        retry = await state.key_buckets.take(access_id)
        if retry is not None:
            return too_many_requests(retry)
        source_ip = request.client.host if request.client else None
        call = Call.start(state.env, access_id, source_ip, token_hash)
        refusal = endpoint.refusal(scopes)
        if refusal is not None:
            return await _refuse_before_use_case(state, request, endpoint, call, refusal)
        try:
            return await endpoint.handler(AdminRequest(request, state, call))
        except NotAuthenticated:
            # The use case has audited this denial already.
            return await _refuse(state, request, "API key revoked", access_id, audited=True)
        except BadRequest as error:
            # Refused before the use case checked the key (a bad body or query): a revoked key
            # still gets its 403 first. Only this error path pays for the look-up.
            if call.actor is None and not await state.db.run(_caller_is_active, state, call):
                return await _refuse(state, request, "API key revoked", access_id)
            return domain_error_response(error)
        except DomainError as error:
            return domain_error_response(error)

    return answer


async def _refuse_before_use_case(
    state: AppState, request: Request, endpoint: Endpoint, call: Call, refusal: str
) -> Response:
    """403 with the application body for a missing scope (or an API-key JWT where only OAuth
    is accepted), audited as a denial; a caller whose credential is no longer active gets the
    filter's 403 instead, as it would from the use case."""
    path = request.url.path
    target = Target(TargetType.ADMIN_API, path[:64], path[:320])
    message = f"{refusal} ({endpoint.method} {endpoint.path})"
    db = state.db
    if not await db.run(record_refusal, db.unit_of_work, call, Action.AUTHORIZE, target, message):
        return await _refuse(state, request, "credential revoked or expired", call.access_id)
    return domain_error_response(Forbidden(refusal))


def _caller_is_active(state: AppState, call: Call) -> bool:
    with state.db.unit_of_work(readonly=True) as uow:
        return caller_is_active(uow, call)
