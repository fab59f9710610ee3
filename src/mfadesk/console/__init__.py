"""The web console (`/console`): server-rendered pages for help-desk work on the same services
as the admin API, signed in with the administrator's password and a SecurID passcode
(docs/console.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from starlette.routing import BaseRoute

from mfadesk.api.state import AppState
from mfadesk.domain.console_sessions import SessionTimeouts


class ConsoleSettingsError(ValueError):
    pass


def _seconds(env: Mapping[str, str], name: str, default: float) -> timedelta:
    raw = env.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError as error:
        raise ConsoleSettingsError(f"{name} must be a number of seconds") from error
    if value <= 0:
        raise ConsoleSettingsError(f"{name} must be positive")
    return timedelta(seconds=value)


def console_edge(state: AppState, env: Mapping[str, str] | None = None) -> list[BaseRoute]:
    """The console's routes for an app (`create_app(..., edges=[console_edge])`), configured
    from the environment: MFADESK_CONSOLE_IDLE_SECONDS (900), MFADESK_CONSOLE_ABSOLUTE_SECONDS
    (28 800), MFADESK_CONSOLE_SECOND_FACTOR (on; `off` is unsafe: password only)."""
    from mfadesk.console.routes import console_routes
    from mfadesk.console.web import ConsoleConfig

    env = os.environ if env is None else env
    timeouts = SessionTimeouts(
        idle=_seconds(env, "MFADESK_CONSOLE_IDLE_SECONDS", 900),
        absolute=_seconds(env, "MFADESK_CONSOLE_ABSOLUTE_SECONDS", 8 * 3600),
    )
    second_factor = env.get("MFADESK_CONSOLE_SECOND_FACTOR", "on").strip().lower() != "off"
    return console_routes(ConsoleConfig(state, timeouts, second_factor))
