"""Steps the browser tests share: signing in, and a screenshot of every page visited."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.console.conftest import PASSWORD, ConsoleStack


def shot(page: Page, console: ConsoleStack, name: str) -> None:
    """A full-page screenshot under the module's temporary directory (an artifact to look at)."""
    console.shot_count += 1
    path = console.shots / f"{console.shot_count:02d}-{name}.png"
    page.screenshot(path=str(path), full_page=True)


def open_login(page: Page, console: ConsoleStack) -> None:
    page.goto(f"{console.base_url}/console/login")
    shot(page, console, "login")


def submit_login(
    page: Page, console: ConsoleStack, email: str, password: str, passcode: str
) -> None:
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Passcode", exact=True).fill(passcode)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_in(page: Page, console: ConsoleStack, name: str) -> None:
    open_login(page, console)
    email = console.admins[name].email
    submit_login(page, console, email, PASSWORD, console.passcode(name))
    assert page.get_by_role("heading", name="Dashboard").is_visible(), page.content()
    shot(page, console, f"dashboard-{name}")
