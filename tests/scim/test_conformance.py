"""The independent SCIM conformance checker, scim2-tester, against the live server: every check
it runs must succeed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from tests.support.scim import ScimServer, scim_server


@pytest.fixture(scope="module")
def scim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScimServer]:
    folder: Path = tmp_path_factory.mktemp("scim")
    with scim_server(f"sqlite:///{folder / 'mfadesk.db'}", folder) as server:
        yield server


def test_every_check_of_scim2_tester_succeeds(scim: ScimServer) -> None:
    http = httpx2.Client(
        base_url=scim.base_url, headers={"Authorization": f"Bearer {scim.token}"}, timeout=30
    )
    with http:
        results = check_server(SyncSCIMClient(http))
    assert results
    failed = [r for r in results if r.status is not Status.SUCCESS]
    assert not failed, "\n".join(f"{r.title}: {r.status.name} {r.reason}" for r in failed)
    assert len(results) > 40, [r.title for r in results]
