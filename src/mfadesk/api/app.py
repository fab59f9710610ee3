"""`create_app(settings)`: wires database, services, authentication and routes together."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Sequence
from ipaddress import IPv4Network, IPv6Network
from typing import Any

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

from mfadesk.api.access_tokens import AccessTokenVerifier, TokenLookup
from mfadesk.api.audience import AudiencePolicy
from mfadesk.api.authn import authn_routes
from mfadesk.api.docs import docs_routes
from mfadesk.api.edge import Edge
from mfadesk.api.endpoint import pipeline
from mfadesk.api.health import health_routes, metrics_routes
from mfadesk.api.jwt_auth import PublicKeyLookup, TokenVerifier
from mfadesk.api.ldap_sync_job import ldap_sync_job
from mfadesk.api.limits import RequestLimits
from mfadesk.api.oauth import oauth_routes
from mfadesk.api.purge import purge_job
from mfadesk.api.rate_limit import Buckets, CountedBuckets, DatabaseBuckets, MemoryBuckets
from mfadesk.api.redis_buckets import RedisBuckets, RedisLink, connect
from mfadesk.api.responses import error_response, internal_error_response
from mfadesk.api.routes import ENDPOINTS
from mfadesk.api.scheduler import Scheduler
from mfadesk.api.scim import scim_routes
from mfadesk.api.scim.replies import domain_error_reply as scim_error_reply
from mfadesk.api.state import AppState
from mfadesk.domain.oauth_clients import AccessToken, OAuthClient
from mfadesk.domain.scim import SCIM_BASE_PATH
from mfadesk.otp.secret_key import load_server_keys
from mfadesk.services.context import ServiceEnv
from mfadesk.services.startup import claim_master_key
from mfadesk.settings import Settings
from mfadesk.store.database import Database

Network = IPv4Network | IPv6Network


def _public_key_lookup(db: Database) -> PublicKeyLookup:
    def read(access_id: str) -> str | None:
        with db.unit_of_work(readonly=True) as uow:
            found = uow.admins.by_access_id(access_id)
        return None if found is None else found[1].public_key_pem

    async def lookup(access_id: str) -> str | None:
        return await db.run(read, access_id)

    return lookup


def _access_token_lookup(db: Database) -> TokenLookup:
    def read(token_hash: str) -> tuple[OAuthClient, AccessToken] | None:
        with db.unit_of_work(readonly=True) as uow:
            return uow.oauth_clients.by_token(token_hash)

    async def lookup(token_hash: str) -> tuple[OAuthClient, AccessToken] | None:
        return await db.run(read, token_hash)

    return lookup


def _bucket_set(
    settings: Settings, link: RedisLink | None, namespace: str, rate: float, burst: float
) -> Buckets:
    """In Redis if there is one; else, and while Redis is out of reach, the worker's own
    buckets with its share of the limit (so the deployment as a whole never exceeds it)."""
    workers = max(1, settings.workers)
    own = MemoryBuckets(rate / workers, max(1.0, burst / workers))
    buckets = own if link is None else RedisBuckets(link, namespace, rate, burst, own)
    return CountedBuckets(buckets, namespace)


def _buckets(settings: Settings, link: RedisLink | None, db: Database) -> tuple[Buckets, Buckets]:
    """Per API key, and per client IP for refused logins on the admin API."""
    rate, burst = settings.rate_limit_per_second, settings.rate_limit_burst
    fail_rate, fail_burst = settings.auth_failure_per_second, settings.auth_failure_burst
    keys = _bucket_set(settings, link, "key", rate, burst)
    if link is None and settings.workers > 1:
        # Several workers without Redis: refused logins are counted in the database. A client
        # that keeps one connection (one worker) must still get the whole burst of failures,
        # and that path writes an audit record anyway.
        return keys, CountedBuckets(
            DatabaseBuckets(db, "authfail", fail_rate, fail_burst), "authfail"
        )
    return keys, _bucket_set(settings, link, "authfail", fail_rate, fail_burst)


def _authn_buckets(settings: Settings, link: RedisLink | None) -> tuple[Buckets, Buckets, Buckets]:
    """On /mfa: per accepted client-key, and per client IP for refused client-keys; over
    RADIUS, per client at the same rate. Never in the database: a throttled agent call or a
    refused key must not write to it."""
    rate, burst = settings.authn_rate_limit_per_second, settings.authn_rate_limit_burst
    fail_rate, fail_burst = settings.auth_failure_per_second, settings.auth_failure_burst
    return (
        _bucket_set(settings, link, "authn", rate, burst),
        _bucket_set(settings, link, "authnfail", fail_rate, fail_burst),
        _bucket_set(settings, link, "radius", rate, burst),
    )


def build_state(
    settings: Settings, env: ServiceEnv | None = None, database: Database | None = None
) -> tuple[AppState, Redis | None]:
    if env is None:
        env = ServiceEnv(
            keys=load_server_keys(settings.secret_key_file),
            offline_cost_log2=settings.offline_hash_cost_log2,
        )
    db = (
        database
        if database is not None
        else Database(
            settings.database_url,
            create=False,
            sqlite_sync=settings.sqlite_sync,
            audit_after_commit=settings.audit_after_commit,
        )
    )
    try:
        claim_master_key(settings, db, env.keys)  # never serve with another key than the data's
    except BaseException:
        db.close()
        raise
    redis = connect(settings.redis_url) if settings.redis_url else None
    link = None if redis is None else RedisLink(redis)
    key_buckets, failure_buckets = _buckets(settings, link, db)
    authn_buckets, refused_key_buckets, radius_buckets = _authn_buckets(settings, link)
    verifier = TokenVerifier(
        AudiencePolicy(settings.effective_public_url()), env.clock, _public_key_lookup(db)
    )
    state = AppState(
        settings,
        db,
        env,
        verifier,
        key_buckets,
        failure_buckets,
        authn_buckets,
        refused_key_buckets,
        radius_buckets,
        AccessTokenVerifier(env.clock, _access_token_lookup(db)),
    )
    return state, redis


def _allowed_methods(request: Request) -> str:
    """Every method the routes of this path answer (``Allow`` of a 405). A literal segment wins
    over a parameter, as it does in routing: /v1/users/lookup is not a {userId}."""
    matching = [
        route
        for route in request.app.router.routes
        if isinstance(route, Route) and route.matches(request.scope)[0] is not Match.NONE
    ]
    fewest = min((len(route.param_convertors) for route in matching), default=0)
    methods = {
        method
        for route in matching
        if len(route.param_convertors) == fewest
        for method in route.methods or ()
    }
    return ", ".join(sorted(methods))


async def _not_found(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        response = error_response(
            405, "METHOD_NOT_ALLOWED", f"{request.method} is not supported here"
        )
        response.headers["Allow"] = _allowed_methods(request)
        return response
    return error_response(404, "NOT_FOUND", f"No endpoint at {request.url.path}")


async def _server_error(request: Request, exc: Exception) -> Response:
    return internal_error_response()


class _App(Starlette):
    """Starlette, with the request limits checked first and a short way in for the admin
    endpoints.

    Every HTTP request is held to `RequestLimits` (431/413) before anything else. The admin
    endpoints' pipeline answers every request itself (errors included), so Starlette's error and
    exception middleware and its route-by-route search add nothing but time: a request that
    fully matches an endpoint goes straight to it. Everything else (unknown paths, wrong
    methods, lifespan) and every request once middleware has been added takes the usual way.
    """

    def __init__(
        self,
        *,
        endpoint_routes: list[Route],
        other_routes: list[BaseRoute],
        limits: RequestLimits,
        trusted_proxies: Sequence[Network] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(routes=[*endpoint_routes, *other_routes], **kwargs)
        self._limits = limits
        self._edge = Edge(self._serve, trusted_proxies)
        self._by_method: dict[str, list[Route]] = {}
        for route in endpoint_routes:
            for method in route.methods or ():
                self._by_method.setdefault(method, []).append(route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._edge(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refused, receive = self._limits.admit(scope, receive)
            if refused is not None:
                await refused(scope, receive, send)
                return
        if (
            scope["type"] == "http"
            and not self.user_middleware
            and getattr(self, "max_body_size", None) is None
        ):
            for route in self._by_method.get(scope["method"], ()):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope["app"] = self
                    scope["route"] = route
                    scope.update(child_scope)
                    response = await route.endpoint(Request(scope, receive, send))
                    await response(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)


# Something served beside the HTTP app in the same process (RADIUS): entered when the app
# starts, left when it stops, with everything the app holds.
Companion = Callable[[AppState], contextlib.AbstractAsyncContextManager[None]]
# Another HTTP edge on the same state (the web console): its routes, served beside the API's.
EdgeRoutes = Callable[[AppState], Sequence[BaseRoute]]


def create_app(
    settings: Settings,
    env: ServiceEnv | None = None,
    *,
    database: Database | None = None,
    companions: Sequence[Companion] = (),
    edges: Sequence[EdgeRoutes] = (),
) -> Starlette:
    """A ready-to-serve app. The database schema must be current (`mfadesk serve` migrates
    before its workers start); a database set up with another master key is refused.
    `database`, if given, is the app's to close (by default it is opened from `settings`).
    `companions` run beside it (see `Companion`); `edges` add their routes (see `EdgeRoutes`)."""
    state, redis = build_state(settings, env, database)
    endpoint_routes = [
        Route(e.full_path, pipeline(e, state), methods=[e.method], name=e.summary)
        for e in ENDPOINTS
    ]
    # Only the admin endpoints' pipeline answers every error itself: the others keep
    # Starlette's middleware.
    other_routes: list[BaseRoute] = [
        *health_routes(state.db, redis),
        *([] if settings.metrics_port else metrics_routes()),
        *docs_routes(),
        *oauth_routes(state),
        *authn_routes(
            settings, state.db, state.env, state.authn_buckets, state.refused_key_buckets
        ),
        *scim_routes(state),
    ]
    for edge in edges:
        other_routes.extend(edge(state))

    jobs = []
    if settings.purge_interval_seconds > 0:
        jobs.append(purge_job(settings.purge_interval_seconds))
    if settings.ldap_sync_tick_seconds > 0:
        jobs.append(ldap_sync_job(settings.ldap_sync_tick_seconds))
    scheduler = Scheduler(state.db, state.env, jobs)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        scheduler.start()
        try:
            async with contextlib.AsyncExitStack() as running:
                for companion in companions:
                    await running.enter_async_context(companion(state))
                yield
        finally:
            await scheduler.stop()
            if redis is not None:
                await redis.aclose()
            state.db.close()

    app = _App(
        endpoint_routes=endpoint_routes,
        other_routes=other_routes,
        limits=RequestLimits(
            settings.max_body_bytes, replies_by_prefix=[(SCIM_BASE_PATH, scim_error_reply)]
        ),
        trusted_proxies=settings.trusted_proxies,
        lifespan=lifespan,
        exception_handlers={404: _not_found, 405: _not_found, 500: _server_error},
    )
    app.state.mfadesk = state
    return app


def create_app_from_env(
    companions: Sequence[Companion] = (), edges: Sequence[EdgeRoutes] = ()
) -> Starlette:
    """Factory for `mfadesk serve` workers (migrations already run, master key checked)."""
    app = create_app(Settings.from_env(), companions=companions, edges=edges)
    # Everything loaded so far lives as long as the process: keep the cycle collector from
    # scanning it again and again. A full collection over it stalls every request in flight
    # for tens of milliseconds; over what requests leave behind it takes well under one.
    gc.collect()
    gc.freeze()
    return app
