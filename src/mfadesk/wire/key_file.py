"""The administrator's API key file (``*.key``), as the real console hands it out."""

from __future__ import annotations

from mfadesk.wire.base import ResponseModel


class KeyFile(ResponseModel):
    customerName: str
    accessID: str
    accessKey: str
    adminRestApiUrl: str
    description: str = ""
