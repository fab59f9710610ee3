"""A real mfadesk for your tests: the pytest plugin ``mfadesk.testing`` (registered through
the ``pytest11`` entry point, so installing ``mfadesk[server]`` is enough) gives a fixture
``mfadesk_server``, an `MfadeskServer` on a free loopback port with a throw-away SQLite
database, emptied before each test. See docs/testing.md.

Nothing is imported here until it is used: pytest loads this package in every project where
mfadesk is installed, the SDK-only install (without the server extra) included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mfadesk.testing.server import MfadeskServer, OAuthTestClient

__all__ = ["MfadeskServer", "OAuthTestClient"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from mfadesk.testing import server

        return getattr(server, name)
    raise AttributeError(name)
