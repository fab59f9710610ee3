"""Authentication API endpoints: a declaration plus the one pipeline every agent request goes
through — ``client-key`` present and accepted (`client_keys.ClientKeyGate`), the key's token
bucket, run the use case (which checks the key again in its transaction), map errors.

Errors keep the admin API's principles: 401 in the security filter's format for a missing,
unknown or revoked key (checked before anything else; 429 once the client IP has sent too many
refused keys), 400 in the application error format for a malformed request, the JSON 500 for
anything unexpected. Wrong credentials are never errors,
and neither is a throttled client: the attempt conversation answers it with the uniform FAIL,
without touching the database (see each endpoint's ``throttled``).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Concatenate, ParamSpec, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from mfadesk.api.authn.client_keys import ClientKeyGate
from mfadesk.api.bodies import read_body
from mfadesk.api.endpoint import Outcome
from mfadesk.api.rate_limit import Buckets
from mfadesk.api.responses import (
    domain_error_response,
    internal_error_response,
    too_many_requests,
    unauthorized_response,
)
from mfadesk.domain.errors import BadRequest, ClientNotAuthenticated, DomainError
from mfadesk.observability.events import set_principal
from mfadesk.services.authn_attempts import purge_expired_attempts
from mfadesk.services.authn_call import AuthnCall, AuthnConfig
from mfadesk.services.user_events import number_user_events
from mfadesk.store.database import Database
from mfadesk.store.unit_of_work import UnitOfWork
from mfadesk.wire.base import QueryModel, RequestModel

AUTHN_BASE = "/mfa/v1_1"
CLIENT_KEY_HEADER = "client-key"
HOUSEKEEPING_EVERY = 256  # initialize calls of a worker between two housekeeping runs
log = logging.getLogger("mfadesk.api")

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M", bound=RequestModel)


@dataclass(slots=True)
class AuthnRuntime:
    """Built once per process."""

    db: Database
    config: AuthnConfig
    buckets: Buckets  # one per accepted client-key (by its hash: the key itself is never kept)
    client_keys: ClientKeyGate
    _initializations: itertools.count[int] = field(default_factory=itertools.count)

    async def after_initialize(self) -> None:
        """Now and then, sweep attempts that were abandoned and have expired, and number the
        user events logged since the last time."""
        if next(self._initializations) % HOUSEKEEPING_EVERY == HOUSEKEEPING_EVERY - 1:
            now = self.config.env.clock()
            await self.db.run(self._housekeeping, now)

    def _housekeeping(self, now: datetime) -> None:
        with self.db.unit_of_work() as uow:
            purge_expired_attempts(uow, now)
            number_user_events(uow)


class AuthnRequest:
    """What a handler gets: the HTTP request, the runtime and the service call."""

    __slots__ = ("call", "http", "runtime")

    def __init__(self, http: Request, runtime: AuthnRuntime, call: AuthnCall) -> None:
        self.http = http
        self.runtime = runtime
        self.call = call

    async def body(self, model: type[M]) -> M:
        return await read_body(self.http, model)

    async def run(
        self,
        fn: Callable[Concatenate[UnitOfWork, AuthnCall, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run a use case in one unit of work (where: see `Database.run`)."""
        return await self._within(False, lambda uow, call: fn(uow, call, *args, **kwargs))

    async def read(
        self,
        fn: Callable[Concatenate[UnitOfWork, AuthnCall, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Like :meth:`run`, for a use case that only reads (no write lock on SQLite)."""
        return await self._within(True, lambda uow, call: fn(uow, call, *args, **kwargs))

    async def _within(self, readonly: bool, step: Callable[[UnitOfWork, AuthnCall], T]) -> T:
        db, call = self.runtime.db, self.call

        def work() -> T:
            with db.unit_of_work(readonly=readonly) as uow:
                return step(uow, call)

        return await db.run(work)


Handler = Callable[[AuthnRequest], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class AuthnEndpoint:
    method: str
    path: str  # below AUTHN_BASE
    summary: str
    handler: Handler
    request_model: type[RequestModel] | None = None
    outcomes: Mapping[int, Outcome] = field(default_factory=dict)
    tag: str = "authentication"
    # How a throttled client is answered, from the request alone (no database); None: 429.
    throttled: Handler | None = None
    # The query parameters, for the OpenAPI document.
    query_model: type[QueryModel] | None = None

    @property
    def full_path(self) -> str:
        return AUTHN_BASE + self.path


async def _throttled(endpoint: AuthnEndpoint, request: AuthnRequest, retry: int) -> Response:
    """Nothing is looked up for a throttled call (beyond the gate's look-up of a key this
    worker has not seen yet). A body that does not parse gets 429: a 400 would tell a key that
    may have been revoked what was malformed."""
    if endpoint.throttled is None:
        return too_many_requests(retry)
    try:
        return await endpoint.throttled(request)
    except BadRequest:
        return too_many_requests(retry)


def pipeline(
    endpoint: AuthnEndpoint, runtime: AuthnRuntime
) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        """Whatever fails, on the way in or in the handler, is the JSON 500."""
        try:
            return await handle(request)
        except Exception:
            log.exception("unhandled error in %s %s", endpoint.method, endpoint.full_path)
            return internal_error_response()

    async def handle(request: Request) -> Response:
        keys = request.headers.getlist(CLIENT_KEY_HEADER)
        client_key = keys[0].strip() if len(keys) == 1 else ""  # several: which one counts?
        if not client_key:
            return unauthorized_response(request.url.path)
        source_ip = request.client.host if request.client else None
        call = AuthnCall.start(runtime.config, client_key, source_ip)
        gate = runtime.client_keys
        try:
            if not await gate.admits(call.key_hash):
                return await gate.refuse(source_ip, request.url.path)
            authn_request = AuthnRequest(request, runtime, call)
            retry = await runtime.buckets.take(call.key_hash)
            if retry is not None:
                return await _throttled(endpoint, authn_request, retry)
            return await endpoint.handler(authn_request)
        except ClientNotAuthenticated:
            gate.forget(call.key_hash)
            return await gate.refuse(source_ip, request.url.path)
        except BadRequest as error:
            # Revoked since it was admitted? An unknown key never learns what was malformed.
            if call.key is None and not await gate.still_accepted(call.key_hash):
                return await gate.refuse(source_ip, request.url.path)
            return domain_error_response(error)
        except DomainError as error:
            return domain_error_response(error)
        finally:
            if call.key is not None:  # the agent, as the use case found it
                set_principal(call.key.name)

    return answer
