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
from mfadesk.domain.errors import BadRequest, DomainError, NotAuthenticated
from mfadesk.services.audit import record_rejected_token, run_use_case
from mfadesk.services.authorization import key_is_active
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

    @property
    def full_path(self) -> str:
        return ADMIN_BASE + self.path


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
        try:
            access_id = await state.verifier.verify(_bearer(request))
        except TokenRejected as rejected:
            return await _refuse(state, request, rejected.reason, rejected.access_id)
        retry = await state.key_buckets.take(access_id)
        if retry is not None:
            return too_many_requests(retry)
        source_ip = request.client.host if request.client else None
        call = Call.start(state.env, access_id, source_ip)
        try:
            return await endpoint.handler(AdminRequest(request, state, call))
        except NotAuthenticated:
            # The use case has audited this denial already.
            return await _refuse(state, request, "API key revoked", access_id, audited=True)
        except BadRequest as error:
            # Refused before the use case checked the key (a bad body or query): a revoked key
            # still gets its 403 first. Only this error path pays for the look-up.
            if call.actor is None and not await state.db.run(_key_is_active, state, call):
                return await _refuse(state, request, "API key revoked", access_id)
            return domain_error_response(error)
        except DomainError as error:
            return domain_error_response(error)

    return answer


def _key_is_active(state: AppState, call: Call) -> bool:
    with state.db.unit_of_work(readonly=True) as uow:
        return key_is_active(uow, call.access_id, call.now)
