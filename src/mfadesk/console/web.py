"""The console's HTTP plumbing: sessions from the cookie, CSRF, forms, security headers, pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from mfadesk.api.state import AppState
from mfadesk.domain.admins import ROLE_PERMISSIONS, Admin, Permission
from mfadesk.domain.console_sessions import SessionTimeouts, csrf_matches, csrf_token
from mfadesk.services.console_sign_in import SignedIn, current_session
from mfadesk.services.context import Call

COOKIE = "mfadesk_console"
MAX_FORM_BYTES = 16_384
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html", "svg"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    state: AppState
    timeouts: SessionTimeouts
    second_factor: bool


@dataclass(frozen=True, slots=True)
class Visit:
    """One signed-in request: who, the call the services get, the form's CSRF token."""

    signed_in: SignedIn
    call: Call
    csrf: str

    @property
    def admin(self) -> Admin:
        return self.signed_in.admin

    def may(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.admin.role]


def source_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def render(
    template: str, status: int = 200, *, visit: Visit | None = None, **context: Any
) -> Response:
    html = TEMPLATES.get_template(template).render(
        visit=visit,
        admin=visit.admin if visit else None,
        csrf=visit.csrf if visit else context.pop("csrf", None),
        P=Permission,
        **context,
    )
    return secure(HTMLResponse(html, status_code=status))


def set_cookie(request: Request, response: Response, token: str | None) -> None:
    if token is None:
        response.delete_cookie(COOKIE, path="/console")
        return
    response.set_cookie(
        COOKIE,
        token,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form (the only kind the console's pages send); the first of each name."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[0] for name, values in parsed.items()}


def refused(status: int, message: str, visit: Visit | None = None) -> Response:
    return render("error.html", status, visit=visit, status_code=status, message=message)


def to_login(request: Request) -> Response:
    response = secure(RedirectResponse("/console/login?expired=1", status_code=303))
    if request.cookies.get(COOKIE):
        set_cookie(request, response, None)
    return response


Handler = Callable[[Request, Visit, dict[str, str]], Awaitable[Response]]


def signed_in_page(
    config: ConsoleConfig, handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    """A page or action for a signed-in administrator. A POST without the session's CSRF token
    is refused (403) before anything else; no active session sends a GET to the sign-in page
    (and a POST gets 403)."""
    state = config.state

    async def endpoint(request: Request) -> Response:
        token = request.cookies.get(COOKIE, "")
        form: dict[str, str] = {}
        if request.method == "POST":
            form = await read_form(request)
            if not token or not csrf_matches(token, form.get("csrf")):
                return refused(403, "This form has expired or did not come from the console.")
        signed = (
            await state.db.run(current_session, state.db, state.env, token, config.timeouts)
            if token
            else None
        )
        if signed is None:
            if request.method == "POST":
                return refused(403, "Your session has ended. Sign in again.")
            return to_login(request)
        call = Call(
            env=state.env,
            access_id=f"console:{signed.session.token_hash[:28]}",
            source_ip=source_ip(request),
            now=state.env.clock(),
            session_hash=signed.session.token_hash,
            session_timeouts=config.timeouts,
        )
        return await handler(request, Visit(signed, call, csrf_token(token)), form)

    return endpoint
