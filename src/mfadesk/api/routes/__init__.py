"""Admin API routes, one module per resource noun."""

from __future__ import annotations

from mfadesk.api.endpoint import Endpoint
from mfadesk.api.routes import (
    admin_logs,
    ds100,
    emergency_tokencodes,
    hardware_tokens,
    user_devices,
    user_event_logs,
    users,
)

ENDPOINTS: tuple[Endpoint, ...] = (
    *users.ENDPOINTS,
    *user_devices.ENDPOINTS,
    *emergency_tokencodes.ENDPOINTS,
    *hardware_tokens.ENDPOINTS,
    *ds100.ENDPOINTS,
    *admin_logs.ENDPOINTS,
    *user_event_logs.ENDPOINTS,
)
