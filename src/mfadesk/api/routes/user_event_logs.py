"""User event log export: every authentication step, paged like the admin log."""

from __future__ import annotations

from starlette.responses import Response

from mfadesk.api.endpoint import AdminRequest, Endpoint, Outcome
from mfadesk.api.paging import page_metadata, page_request
from mfadesk.api.responses import json_response
from mfadesk.api.routes.outcomes import FORBIDDEN, SERVER_ERROR, TOO_MANY
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.event_logs import TimeWindow
from mfadesk.domain.oauth_clients import Scope
from mfadesk.domain.user_events import StoredUserEvent
from mfadesk.services.user_event_logs import export_user_events
from mfadesk.wire.errors import ErrorBody
from mfadesk.wire.event_logs import EventLogQuery
from mfadesk.wire.user_event_logs import UserEventLogEntry, UserEventLogPage


def user_event_entry(stored: StoredUserEvent) -> UserEventLogEntry:
    event = stored.event
    return UserEventLogEntry(
        eventId=stored.event_id,
        eventLogDate=format_timestamp(event.occurred_at),
        userId=event.user_id,
        userName=event.subject_name,
        authenticationMethod=event.method,
        result=event.result.value,
        reason=event.reason.value,
        tokenSerialNumber=event.credential_serial,
        clientId=event.client_id,
        agentName=event.authn_key_name,
        authnAttemptId=event.attempt_id,
        sourceIPAddress=event.source_ip,
    )


async def export(request: AdminRequest) -> Response:
    query = request.query(EventLogQuery)
    window = TimeWindow.of(query.startTimeAfter, query.endTimeOnOrBefore)
    page = await request.run(export_user_events, window, page_request(query))
    entries = [user_event_entry(e) for e in page.items]
    return json_response(UserEventLogPage(**page_metadata(page), userEventLogExportEntries=entries))


ENDPOINTS = (
    Endpoint(
        "GET",
        "/v1/usereventlog/exportlogs",
        "Export User Event Log",
        export,
        None,
        {
            200: Outcome(
                "One page of the company's authentication events in the window, oldest first.",
                UserEventLogPage,
            ),
            400: Outcome("A parameter is missing or invalid.", ErrorBody),
            403: FORBIDDEN,
            429: TOO_MANY,
            500: SERVER_ERROR,
        },
        tag="audit",
        scope=Scope.AUDIT_USER,
        query_model=EventLogQuery,
    ),
)
