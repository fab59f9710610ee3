"""Administration audit log export."""

from __future__ import annotations

from starlette.responses import Response

from mfadesk.api.endpoint import AdminRequest, Endpoint, Outcome
from mfadesk.api.paging import page_metadata, page_request
from mfadesk.api.responses import json_response
from mfadesk.api.routes.outcomes import FORBIDDEN, SERVER_ERROR, TOO_MANY
from mfadesk.domain.audit import StoredAuditEvent
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.event_logs import TimeWindow
from mfadesk.domain.oauth_clients import Scope
from mfadesk.services.admin_logs import export_admin_logs
from mfadesk.wire.admin_logs import AdminLogEntry, AdminLogPage
from mfadesk.wire.errors import ErrorBody
from mfadesk.wire.event_logs import EventLogQuery


def admin_log_entry(stored: StoredAuditEvent) -> AdminLogEntry:
    event = stored.event
    return AdminLogEntry(
        eventId=stored.event_id,
        eventLogDate=format_timestamp(event.occurred_at),
        adminUserName=event.admin_email,
        adminUserRole=event.admin_role,
        activityKey=event.action.value,
        result=event.result.value,
        message=event.message,
        targetObject1Id=event.target.id,
        targetObject1Name=event.target.name,
        targetObject1Type=event.target.type.value,
        sourceIPAddress=event.source_ip,
    )


async def export(request: AdminRequest) -> Response:
    query = request.query(EventLogQuery)
    window = TimeWindow.of(query.startTimeAfter, query.endTimeOnOrBefore)
    page = await request.run(export_admin_logs, window, page_request(query))
    return json_response(
        AdminLogPage(**page_metadata(page), elements=[admin_log_entry(e) for e in page.items])
    )


ENDPOINTS = (
    Endpoint(
        "GET",
        "/v1/adminlog/exportlogs",
        "Export Administration Audit Log",
        export,
        None,
        {
            200: Outcome(
                "One page of the company's audit events in the window, oldest first.",
                AdminLogPage,
            ),
            400: Outcome("A parameter is missing or invalid.", ErrorBody),
            403: FORBIDDEN,
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="audit",
        scope=Scope.AUDIT_ADMIN,
        query_model=EventLogQuery,
    ),
)
