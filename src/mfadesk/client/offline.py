"""Offline emergency access for agents: read a downloaded bundle, then check codes against it.

An agent downloads the bundle (``POST /mfa/v1_1/authn/offlineData`` with the
``OFFLINE_DATA_TICKET`` of a successful authentication), keeps the JSON, and while offline::

    bundle = parse_offline_bundle(saved_json)
    verify_offline(bundle, typed_code, datetime.now(UTC))
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mfadesk.otp.emergency import OfflineBundle
from mfadesk.wire.authn import OfflineBundleBody


def parse_offline_bundle(data: bytes | str | Mapping[str, Any]) -> OfflineBundle:
    """The bundle in its wire form (JSON text or an already-decoded object).

    Raises ``pydantic.ValidationError`` (a ``ValueError``) when it is not one.
    """
    body = (
        OfflineBundleBody.model_validate(dict(data))
        if isinstance(data, Mapping)
        else OfflineBundleBody.model_validate_json(data)
    )
    return OfflineBundle(
        user_id=body.userId,
        emergency_tokencode_id=body.emergencyTokencodeId,
        verifier=body.verifier,
        offline_expires_at=datetime.fromisoformat(body.offlineExpirationDate),
    )
