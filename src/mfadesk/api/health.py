"""Probes for an orchestrator and the metrics endpoint: no authentication, nothing secret.

``/health/live`` answers 200 while the process serves. ``/health/ready`` answers 200 with
``{"status": "UP", "checks": [...]}`` when the database answers and its schema is at the
newest migration, and Redis answers when one is configured; else 503 with ``"DOWN"`` and the
check that failed (as Keycloak's and MicroProfile Health's probes do). Each check is run anew on
every call, so the answer comes back to 200 as soon as what failed recovers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from mfadesk.observability import metrics
from mfadesk.store.database import Database

CHECK_TIMEOUT_SECONDS = 2.0
log = logging.getLogger("mfadesk.health")

Check = Callable[[], Awaitable[None]]


def _database_check(db: Database) -> Check:
    async def check() -> None:
        if not await db.run(db.schema_is_current):
            raise RuntimeError("the database schema is not at the newest migration")

    return check


def _redis_check(redis: Redis) -> Check:
    async def check() -> None:
        await redis.ping()

    return check


async def _status(name: str, check: Check) -> dict[str, str]:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception as error:  # any failure is DOWN; the reason goes to the log only
        log.warning("readiness check %s failed: %s", name, type(error).__name__)
        return {"name": name, "status": "DOWN"}
    return {"name": name, "status": "UP"}


def health_routes(db: Database, redis: Redis | None) -> list[BaseRoute]:
    checks: list[tuple[str, Check]] = [("database", _database_check(db))]
    if redis is not None:
        checks.append(("redis", _redis_check(redis)))

    async def live(request: Request) -> Response:
        return JSONResponse({"status": "UP", "checks": []})

    async def ready(request: Request) -> Response:
        results = await asyncio.gather(*(_status(name, check) for name, check in checks))
        up = all(result["status"] == "UP" for result in results)
        body = {"status": "UP" if up else "DOWN", "checks": list(results)}
        return JSONResponse(body, status_code=200 if up else 503)

    return [
        Route("/health/live", live, methods=["GET"]),
        Route("/health/ready", ready, methods=["GET"]),
    ]


def metrics_routes() -> list[BaseRoute]:
    async def exposition(request: Request) -> Response:
        body = await asyncio.to_thread(metrics.exposition)  # reads every worker's file
        return Response(body, media_type=None, headers={"Content-Type": metrics.CONTENT_TYPE})

    return [Route("/metrics", exposition, methods=["GET"])]
