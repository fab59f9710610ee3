"""Which `aud` values name a deployment, for public URLs with and without a path prefix."""

from __future__ import annotations

import pytest

from mfadesk.api.audience import AudiencePolicy


@pytest.mark.parametrize(
    "public_url",
    [
        "https://mfa.example.com/base",
        "https://mfa.example.com/base/",
        "https://mfa.example.com/base/AdminInterface/restapi",  # given as the admin base
        "https://mfa.example.com/base/AdminInterface/restapi/v1/",
    ],
)
@pytest.mark.parametrize(
    "audience",
    [
        "https://mfa.example.com/base/AdminInterface/restapi",
        "https://mfa.example.com/base/AdminInterface/restapi/",
        "https://mfa.example.com/base/AdminInterface/restapi/v1",
        "https://mfa.example.com",  # the bare origin a public Python client sends
        "https://mfa.example.com:443/",
    ],
)
def test_behind_a_path_prefix_every_documented_form_is_accepted(
    public_url: str, audience: str
) -> None:
    assert AudiencePolicy(public_url).accepts(audience)


@pytest.mark.parametrize(
    "audience",
    [
        "https://mfa.example.com/other/AdminInterface/restapi",
        "https://mfa.example.com/AdminInterface/restapi",  # the prefix is part of the base
        "http://mfa.example.com/base/AdminInterface/restapi",
        "https://mfa.example.org",
        "https://mfa.example.com:8443",
        ["https://mfa.example.org", ""],
    ],
)
def test_other_deployments_are_refused(audience: str | list[str]) -> None:
    assert not AudiencePolicy("https://mfa.example.com/base").accepts(audience)
