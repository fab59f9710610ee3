"""The console's pages and actions: each a thin call of the services with the signed-in
administrator as the actor, then a view model for a template."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from mfadesk.api.authn import lockout_policy
from mfadesk.console import charts
from mfadesk.console.web import (
    COOKIE,
    ConsoleConfig,
    Visit,
    read_form,
    refused,
    render,
    secure,
    set_cookie,
    signed_in_page,
    source_ip,
)
from mfadesk.domain.console_sessions import csrf_matches, csrf_token
from mfadesk.domain.errors import BadRequest, DomainError
from mfadesk.domain.event_logs import TimeWindow
from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.domain.paging import PageRequest
from mfadesk.domain.users import UserStatus
from mfadesk.services.admin_logs import export_admin_logs
from mfadesk.services.audit import run_use_case
from mfadesk.services.authn_call import AuthnConfig
from mfadesk.services.company_settings import (
    PinPolicyChange,
    SettingsChange,
    change_settings_as_admin,
)
from mfadesk.services.console_sign_in import (
    REFUSED_MESSAGE,
    Outcome,
    SignIn,
    SignInContext,
    answer_challenge,
    sign_in,
    sign_out,
)
from mfadesk.services.console_views import (
    company_overview,
    dashboard,
    revoke_admin_key,
    user_overview,
)
from mfadesk.services.ds100 import clear_ds100_otp_pin, delete_ds100_otp, set_ds100_status
from mfadesk.services.emergency_tokencodes import (
    EmergencyRequest,
    disable_emergency_tokencodes,
    issue_emergency_tokencode,
)
from mfadesk.services.hardware_tokens import (
    assign_hardware_token,
    clear_hardware_token_pin,
    delete_hardware_token,
    set_hardware_token_status,
    unassign_hardware_token,
)
from mfadesk.services.users import search_users, set_mark_deleted, set_user_status

LOGIN_COOKIE = "mfadesk_console_login"  # the sign-in form's CSRF secret, before any session
PAGE_SIZE = 20
AUDIT_PAGE_SIZE = 50
STATIC = Path(__file__).with_name("static")
T = TypeVar("T")


def console_routes(config: ConsoleConfig) -> list[BaseRoute]:  # noqa: PLR0915 (one closure per page)
    state = config.state
    authn_config = AuthnConfig.build(state.env, lockout_policy(state.settings))
    lockout = authn_config.lockout

    async def use(visit: Visit, fn: Callable[..., T], *a: Any) -> T:
        """Run a use case as the signed-in administrator (failures audited as the API's)."""

        def work() -> T:
            return run_use_case(state.db.unit_of_work, fn, visit.call, *a)

        return await state.db.run(work)

    def sign_in_context(request: Request) -> SignInContext:
        return SignInContext(state.db, authn_config, config.second_factor, source_ip(request))

    # --- signing in and out ---------------------------------------------------------------

    def login_page(
        request: Request, status: int = 200, error: str | None = None, email: str = ""
    ) -> Response:
        secret = base64.urlsafe_b64encode(state.env.random.token_bytes(24)).decode()
        expired = request.query_params.get("expired") == "1" and error is None
        response = render(
            "login.html",
            status,
            csrf=csrf_token(secret),
            error=error,
            expired=expired,
            second_factor=config.second_factor,
            email=email,
        )
        response.set_cookie(
            LOGIN_COOKIE,
            secret,
            path="/console",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def login_get(request: Request) -> Response:
        return login_page(request)

    def after_sign_in(request: Request, result: SignIn, email: str = "") -> Response:
        if result.outcome is Outcome.REFUSED:
            return login_page(request, 401, REFUSED_MESSAGE, email[:320])
        assert result.token is not None
        if result.outcome is Outcome.CHALLENGED:
            assert result.challenge is not None
            challenge = result.challenge
            policy = challenge.pin_policy
            text = challenge.prompt.default_text
            if policy is not None:
                text = text.replace("{0}", str(policy.min_length)).replace(
                    "{1}", str(policy.max_length)
                )
            response = render(
                "challenge.html",
                csrf=csrf_token(result.token),
                label=challenge.prompt.display_name,
                prompt=text,
                new_pin=challenge.pin_policy is not None,
            )
        else:
            response = secure(RedirectResponse("/console", status_code=303))
        set_cookie(request, response, result.token)
        return response

    async def login_post(request: Request) -> Response:
        form = await read_form(request)
        if not csrf_matches(request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")):
            return refused(403, "This form has expired or did not come from the console.")
        # Every sign-in costs a token of the client's refused-login bucket (the admin API's).
        retry = await state.failure_buckets.take(source_ip(request) or "unknown")
        if retry is not None:
            response = refused(429, "Too many sign-in attempts. Wait a minute and try again.")
            response.headers["Retry-After"] = str(retry)
            return response
        result = await sign_in(
            sign_in_context(request),
            form.get("email", ""),
            form.get("password", ""),
            form.get("passcode", ""),
        )
        return after_sign_in(request, result, form.get("email", ""))

    async def challenge_post(request: Request) -> Response:
        form = await read_form(request)
        token = request.cookies.get(COOKIE, "")
        if not token or not csrf_matches(token, form.get("csrf")):
            return refused(403, "This form has expired or did not come from the console.")
        retry = await state.failure_buckets.take(source_ip(request) or "unknown")
        if retry is not None:
            return refused(429, "Too many sign-in attempts. Wait a minute and try again.")
        result = await answer_challenge(sign_in_context(request), token, form.get("response", ""))
        return after_sign_in(request, result)

    async def logout(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        token = request.cookies.get(COOKIE, "")
        await state.db.run(sign_out, state.db, state.env, token, visit.call.source_ip)
        response = secure(RedirectResponse("/console/login", status_code=303))
        set_cookie(request, response, None)
        return response

    # --- pages ----------------------------------------------------------------------------

    def guarded(handler: Callable[..., Any]) -> Callable[[Request], Any]:
        async def run(request: Request, visit: Visit, form: dict[str, str]) -> Response:
            try:
                response: Response = await handler(request, visit, form)
                return response
            except DomainError as error:
                return refused(error.status, error.description, visit)

        return signed_in_page(config, run)

    async def home(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        figures = await use(visit, dashboard, lockout)
        return render(
            "dashboard.html",
            visit=visit,
            figures=figures,
            authn_chart=charts.hourly_bars(figures.hours, figures.successes, figures.failures),
            token_chart=charts.horizontal_bars(figures.tokens_by_status),
        )

    async def users(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        query = request.query_params.get("q", "").strip()[:320]
        page_number = _page_number(request)
        found = await use(visit, search_users, query, PAGE_SIZE, page_number) if query else None
        return render("users.html", visit=visit, query=query, found=found, page_number=page_number)

    async def user_page(
        request: Request, visit: Visit, form: dict[str, str], issued: Any = None
    ) -> Response:
        user_id = request.path_params["user_id"].lower()
        overview = await use(visit, user_overview, user_id, lockout)
        return render(
            "user.html",
            visit=visit,
            o=overview,
            issued=issued,
            done=request.query_params.get("done", "")[:200],
            now=visit.call.now,
        )

    def back_to_user(user_id: str, done: str) -> Response:
        return secure(
            RedirectResponse(f"/console/users/{user_id}?done={quote(done)}", status_code=303)
        )

    async def token_action(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        user_id = request.path_params["user_id"].lower()
        serial, action = request.path_params["serial"], request.path_params["action"]
        if action == "disable":
            await use(visit, set_hardware_token_status, user_id, serial, TokenStatus.DISABLED)
            done = f"Token {serial} disabled."
        elif action == "enable":
            await use(visit, set_hardware_token_status, user_id, serial, TokenStatus.ENABLED)
            done = f"Token {serial} enabled."
        elif action == "clear-pin":
            await use(visit, clear_hardware_token_pin, user_id, serial)
            done = f"PIN of token {serial} cleared: the user sets a new one at the next sign-in."
        elif action == "unassign":
            await use(visit, unassign_hardware_token, user_id, serial)
            done = f"Token {serial} unassigned (back in the spare pool, disabled)."
        elif action == "delete":
            await use(visit, delete_hardware_token, serial)
            done = f"Token {serial} deleted."
        else:
            return refused(404, "No such action.", visit)
        return back_to_user(user_id, done)

    async def ds100_action(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        user_id = request.path_params["user_id"].lower()
        device, serial = request.path_params["device_serial"], request.path_params["serial"]
        action = request.path_params["action"]
        if action in ("disable", "enable"):
            # The API's use case: every OTP credential of the device (one, as provisioned).
            status = TokenStatus.DISABLED if action == "disable" else TokenStatus.ENABLED
            entries = await use(visit, set_ds100_status, device, user_id, status)
            serials = ", ".join(e.credential.serial for e in entries) or serial
            done = f"DS100 OTP credential {serials} {action}d."
        elif action == "clear-pin":
            await use(visit, clear_ds100_otp_pin, serial, user_id)
            done = (
                f"PIN of DS100 OTP credential {serial} cleared: the user sets a new one next time."
            )
        elif action == "delete":
            await use(visit, delete_ds100_otp, serial, device, user_id)
            done = f"DS100 OTP credential {serial} deleted."
        else:
            return refused(404, "No such action.", visit)
        return back_to_user(user_id, done)

    async def assign(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        user_id = request.path_params["user_id"].lower()
        serial = form.get("serial", "").strip()[:36]
        await use(visit, assign_hardware_token, user_id, serial, None)
        return back_to_user(user_id, f"Token {serial} assigned and enabled.")

    async def emergency(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        user_id = request.path_params["user_id"].lower()
        if request.path_params["action"] == "disable":
            await use(visit, disable_emergency_tokencodes, user_id, form.get("code_id", "")[:36])
            return back_to_user(user_id, "Emergency tokencode disabled.")
        issued = await issue_emergency_tokencode(state.db, visit.call, user_id, EmergencyRequest())
        # Shown in this answer only: never stored readable, never shown again.
        return await user_page(request, visit, form, issued=issued)

    async def user_status(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        user_id = request.path_params["user_id"].lower()
        action = request.path_params["action"]
        if action in ("enable", "disable"):
            status = UserStatus.ENABLED if action == "enable" else UserStatus.DISABLED
            await use(visit, set_user_status, user_id, status)
            return back_to_user(user_id, f"User {action}d.")
        if action in ("mark-deleted", "undelete"):
            await use(visit, set_mark_deleted, user_id, action == "mark-deleted")
            verb = "marked deleted" if action == "mark-deleted" else "no longer marked deleted"
            return back_to_user(user_id, f"User {verb}.")
        return refused(404, "No such action.", visit)

    async def audit(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        window, after, until = _window(request, visit.call.now)
        page_number = _page_number(request)
        # Newest first: page 0 is the export's last page, its events in reverse.
        newest = await use(visit, export_admin_logs, window, PageRequest(0, AUDIT_PAGE_SIZE))
        wanted = max(newest.total_pages - 1 - page_number, 0)
        page = (
            newest
            if wanted == 0
            else await use(visit, export_admin_logs, window, PageRequest(wanted, AUDIT_PAGE_SIZE))
        )
        return render(
            "audit.html",
            visit=visit,
            page=page,
            events=list(reversed(page.items)),
            after=after,
            until=until,
            page_number=page_number,
        )

    async def audit_csv(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        window, _, _ = _window(request, visit.call.now)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["time", "admin", "role", "source", "action", "target", "result", "message"]
        )
        page_number = 0
        while True:
            page = await use(visit, export_admin_logs, window, PageRequest(page_number, 1000))
            for stored in page.items:
                e = stored.event
                writer.writerow(
                    [
                        e.occurred_at.isoformat(),
                        e.admin_email or "",
                        e.admin_role or "",
                        e.source_ip or "",
                        e.action.value,
                        e.target.name,
                        e.result.value,
                        _csv_safe(e.message),
                    ]
                )
            page_number += 1
            if page_number >= page.total_pages:
                break
        response = Response(out.getvalue(), media_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return secure(response)

    async def settings_page(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        company, admins = await use(visit, company_overview)
        return render(
            "settings.html",
            visit=visit,
            company=company,
            admins=admins,
            done=request.query_params.get("done", "")[:200],
        )

    async def change_settings(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        emergency, pins = _settings_change(form)
        await use(visit, change_settings_as_admin, emergency, pins)
        return secure(RedirectResponse("/console/settings?done=Settings+saved.", 303))

    async def revoke_key(request: Request, visit: Visit, form: dict[str, str]) -> Response:
        access_id = request.path_params["access_id"]
        await use(visit, revoke_admin_key, access_id)
        return secure(RedirectResponse(f"/console/settings?done=API+key+{access_id}+revoked", 303))

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        path = STATIC / name
        if name not in {"console.css", "console.js"} or not path.is_file():
            return refused(404, "Not found.")
        return secure(FileResponse(path))

    user_path = "/console/users/{user_id}"
    return [
        Route("/console/login", login_get, methods=["GET"]),
        Route("/console/login", login_post, methods=["POST"]),
        Route("/console/login/challenge", challenge_post, methods=["POST"]),
        Route("/console/logout", guarded(logout), methods=["POST"]),
        Route("/console", guarded(home), methods=["GET"]),
        Route("/console/users", guarded(users), methods=["GET"]),
        Route(user_path, guarded(user_page), methods=["GET"]),
        Route(user_path + "/tokens/assign", guarded(assign), methods=["POST"]),
        Route(user_path + "/tokens/{serial}/{action}", guarded(token_action), methods=["POST"]),
        Route(
            user_path + "/ds100/{device_serial}/{serial}/{action}",
            guarded(ds100_action),
            methods=["POST"],
        ),
        Route(user_path + "/emergency/{action}", guarded(emergency), methods=["POST"]),
        Route(user_path + "/status/{action}", guarded(user_status), methods=["POST"]),
        Route("/console/audit", guarded(audit), methods=["GET"]),
        Route("/console/audit.csv", guarded(audit_csv), methods=["GET"]),
        Route("/console/settings", guarded(settings_page), methods=["GET"]),
        Route("/console/settings", guarded(change_settings), methods=["POST"]),
        Route("/console/keys/{access_id}/revoke", guarded(revoke_key), methods=["POST"]),
        Route("/console/static/{name}", static, methods=["GET"]),
    ]


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "0")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 0


def _parse_time(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _window(request: Request, now: datetime) -> tuple[TimeWindow, str, str]:
    """The audit log's time window from the form (UTC, datetime-local), by default the last
    day."""
    asked_until = _parse_time(request.query_params.get("until"))
    # A time typed to the second means up to the end of that second.
    until = now if asked_until is None else asked_until + timedelta(microseconds=999_999)
    after = _parse_time(request.query_params.get("after")) or until - timedelta(days=1)
    if after >= until:
        after = until - timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M:%S"
    return TimeWindow.of(after, until), after.strftime(fmt), until.strftime(fmt)


def _yes(form: dict[str, str], name: str) -> bool | None:
    value = form.get(name)
    return None if value not in ("yes", "no") else value == "yes"


def _whole(form: dict[str, str], name: str, low: int, high: int) -> int | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(f"{name.replace('_', ' ').capitalize()} must be {low} to {high}.")
    return int(raw)


def _settings_change(form: dict[str, str]) -> tuple[SettingsChange, PinPolicyChange]:
    """The settings form's fields (an empty one changes nothing); the service validates."""
    hours = _whole(form, "default_validity_hours", 1, 168)
    offline_hours = _whole(form, "offline_validity_hours", 0, 720)
    emergency = SettingsChange(
        locked=_yes(form, "locked"),
        default_validity=None if hours is None else timedelta(hours=hours),
        one_time_use=_yes(form, "one_time_use"),
        code_length=_whole(form, "code_length", 6, 32),
        alphabet=form.get("alphabet", "").strip() or None,
        offline_validity=None if offline_hours is None else timedelta(hours=offline_hours),
    )
    pins = PinPolicyChange(
        required=_yes(form, "pin_required"),
        min_length=_whole(form, "pin_min_length", 1, 99),
        max_length=_whole(form, "pin_max_length", 1, 99),
    )
    return emergency, pins


def _csv_safe(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
