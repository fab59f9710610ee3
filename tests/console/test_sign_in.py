"""Signing in to the console in a real browser: one message for a wrong password or passcode,
New PIN mode as a page, lockout, the session cookie and the security headers, idle expiry."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page

from tests.console.browsing import open_login, shot, sign_in, submit_login
from tests.console.conftest import IDLE_SECONDS, PASSWORD, ConsoleStack

REFUSED = "Wrong e-mail, password or passcode."


def test_wrong_password_and_wrong_passcode_get_one_message(
    page: Page, console: ConsoleStack
) -> None:
    open_login(page, console)
    email = console.admins["super"].email
    submit_login(page, console, email, "not the password at all", console.passcode("super"))
    assert page.get_by_role("alert").inner_text() == REFUSED
    shot(page, console, "wrong-password")
    submit_login(page, console, email, PASSWORD, console.passcode("super", wrong=True))
    assert page.get_by_role("alert").inner_text() == REFUSED
    shot(page, console, "wrong-passcode")
    submit_login(page, console, "nobody@acme.example", PASSWORD, console.passcode("super"))
    assert page.get_by_role("alert").inner_text() == REFUSED


def test_sign_in_sets_a_strict_http_only_cookie_and_security_headers(
    page: Page, console: ConsoleStack
) -> None:
    sign_in(page, console, "super")
    cookie = next(c for c in page.context.cookies() if c["name"] == "mfadesk_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert not cookie["secure"]  # served over plain HTTP here
    response = page.goto(f"{console.base_url}/console")
    assert response is not None
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign in").is_visible()
    page.goto(f"{console.base_url}/console")
    assert page.url.endswith("/console/login?expired=1")


def test_a_token_in_new_pin_mode_asks_for_a_new_pin_on_a_page(
    page: Page, console: ConsoleStack
) -> None:
    open_login(page, console)
    admin = console.admins["newpin"]
    # No PIN yet: the tokencode alone leads to New PIN mode.
    submit_login(page, console, admin.email, PASSWORD, console.passcode("newpin"))
    assert page.get_by_role("heading", name="Choose a new PIN").is_visible()
    shot(page, console, "new-pin")
    page.get_by_label("New PIN", exact=True).fill("1357")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "PIN accepted" in page.content()
    shot(page, console, "new-pin-accepted")
    page.locator("#response").fill(console.passcode("newpin", pin="1357"))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    console.admins["newpin"].pin = "1357"


def test_repeated_wrong_passcodes_lock_the_admin_out(page: Page, console: ConsoleStack) -> None:
    open_login(page, console)
    email = console.admins["locked"].email
    for _ in range(3):
        submit_login(page, console, email, PASSWORD, console.passcode("locked", wrong=True))
        assert page.get_by_role("alert").inner_text() == REFUSED
    submit_login(page, console, email, PASSWORD, console.passcode("locked"))
    assert page.get_by_role("alert").inner_text() == REFUSED
    shot(page, console, "locked-out")


def test_an_idle_session_ends(page: Page, console: ConsoleStack) -> None:
    sign_in(page, console, "helpdesk")
    console.clock.advance(timedelta(seconds=IDLE_SECONDS - 60))
    page.goto(f"{console.base_url}/console/users")
    assert page.get_by_role("heading", name="Search users").is_visible()  # seen: idle restarts
    console.clock.advance(timedelta(seconds=IDLE_SECONDS + 1))
    page.goto(f"{console.base_url}/console/users")
    assert "/console/login" in page.url
    assert page.get_by_text("Your session has ended. Sign in again.").is_visible()
    shot(page, console, "session-ended")


def test_signing_in_with_the_keyboard_alone(page: Page, console: ConsoleStack) -> None:
    open_login(page, console)
    admin = console.admins["helpdesk"]
    page.keyboard.type(admin.email)  # the e-mail field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(console.passcode("helpdesk"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    page.keyboard.press("Tab")  # the skip link first, drawn when focused
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
