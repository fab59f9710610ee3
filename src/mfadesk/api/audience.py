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


class UrlMatcher:
    """Whether a URL names one of `urls`, with the tolerances above (a trailing ``/``, any
    case, loopback names, default ports): the ``aud`` of an OAuth client assertion."""

    def __init__(self, urls: list[str]) -> None:
        forms = {_origin(url) for url in urls}
        if None in forms:
            raise ValueError(f"not all of {urls!r} are http(s) URLs")
        self._accepted = frozenset(forms)

    def accepts(self, audience: str | list[str]) -> bool:
        names = [audience] if isinstance(audience, str) else audience
        return any(_origin(name) in self._accepted for name in names)
