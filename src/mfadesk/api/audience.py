"""Which ``aud`` values name this deployment.

Real clients send the admin REST base URL with or without a trailing ``/``, with ``/v1``, or
only ``scheme://host[:port]`` (also when the service is published below a path prefix).
Loopback names are interchangeable (``localhost``/``127.0.0.1``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

_ADMIN_SUFFIXES = ("", "/admininterface/restapi", "/admininterface/restapi/v1")
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int, str] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if host in _LOOPBACK:
        host = "loopback"
    return scheme, host, port or _DEFAULT_PORTS[scheme], parts.path.rstrip("/").lower()


class AudiencePolicy:
    def __init__(self, public_url: str) -> None:
        origin = _origin(public_url)
        if origin is None:
            raise ValueError(f"public URL {public_url!r} is not an http(s) URL")
        scheme, host, port, prefix = origin
        for suffix in reversed(_ADMIN_SUFFIXES[1:]):  # a public URL given as the admin base
            prefix = prefix.removesuffix(suffix)
        forms = {(scheme, host, port, prefix + suffix) for suffix in _ADMIN_SUFFIXES}
        forms.add((scheme, host, port, ""))  # the bare origin, even behind a path prefix
        self._accepted = frozenset(forms)

    def accepts(self, audience: str | list[str]) -> bool:
        """Whether ``aud`` (one string, or an array of them) names this deployment."""
        names = [audience] if isinstance(audience, str) else audience
        return any(_origin(name) in self._accepted for name in names)
