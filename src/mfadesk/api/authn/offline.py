"""``POST /authn/offlineData``: the offline emergency tokencode bundle a successful online
authentication's ``OFFLINE_DATA_TICKET`` attribute names."""

from __future__ import annotations

from starlette.responses import Response

from mfadesk.api.authn.outcomes import authn_outcomes
from mfadesk.api.authn.pipeline import AuthnEndpoint, AuthnRequest
from mfadesk.api.endpoint import Outcome
from mfadesk.api.responses import json_response
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.errors import NotFound
from mfadesk.services.authn_emergency import download_offline_bundle
from mfadesk.wire.authn import OfflineBundleBody, OfflineDataRequest
from mfadesk.wire.errors import ErrorBody

NO_OFFLINE_DATA = "No offline data for this ticket."


async def offline_data(request: AuthnRequest) -> Response:
    body = await request.body(OfflineDataRequest)
    downloaded = await request.read(download_offline_bundle, body.offlineDataTicket)
    if downloaded is None:
        raise NotFound(NO_OFFLINE_DATA)
    bundle = downloaded.bundle
    return json_response(
        OfflineBundleBody(
            userId=bundle.user_id,
            subjectName=downloaded.subject_name,
            emergencyTokencodeId=bundle.emergency_tokencode_id,
            verifier=bundle.verifier,
            offlineExpirationDate=format_timestamp(bundle.offline_expires_at),
        )
    )


ENDPOINTS = (
    AuthnEndpoint(
        "POST",
        "/authn/offlineData",
        "Download offline emergency tokencode data",
        offline_data,
        OfflineDataRequest,
        {
            **authn_outcomes(OfflineBundleBody),
            404: Outcome(
                "The ticket is unknown, expired, for another agent, or the code is no longer "
                "enabled online.",
                ErrorBody,
            ),
        },
    ),
)
