"""The help desk's daily work in a real browser: search → user → disable a token → the audit
log shows it; an emergency tokencode shown once; roles, forged posts and CSRF refused."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page

from mfadesk.domain.company import UNAMBIGUOUS_ALPHANUMERIC
from mfadesk.domain.ds100 import credential_serial
from tests.console.browsing import shot, sign_in
from tests.console.conftest import ConsoleStack
from tests.support.tenant import DEVICE_SPARE_OWNER_BOB, TOKEN_ALICE

CREDENTIAL_BOB = credential_serial(DEVICE_SPARE_OWNER_BOB)


def _open_user(page: Page, console: ConsoleStack, email: str) -> str:
    page.get_by_role("link", name="Search users").click()
    page.get_by_label("Search users", exact=True).fill(email.split("@", maxsplit=1)[0])
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    shot(page, console, "search")
    page.get_by_role("link", name=email).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=email).is_visible()
    shot(page, console, "user")
    return page.url


def test_search_user_disable_token_then_the_audit_log_shows_it(
    page: Page, console: ConsoleStack
) -> None:
    sign_in(page, console, "super")
    _open_user(page, console, "alice@acme.example")
    page.get_by_role("button", name=f"Disable {TOKEN_ALICE}").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text=f"Token {TOKEN_ALICE} disabled").is_visible()
    assert page.get_by_role("button", name=f"Enable {TOKEN_ALICE}").is_visible()
    shot(page, console, "token-disabled")
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_load_state()
    shot(page, console, "audit-log")
    row = page.get_by_role("row").filter(has_text="DISABLE_HARDWARE_TOKEN")
    assert row.count() == 1
    text = row.inner_text()
    assert "super@acme.example" in text and "Super Admin" in text and "127.0.0.1" in text
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = download.value.path()
    assert "DISABLE_HARDWARE_TOKEN" in path.read_text()


def test_a_ds100_credential_is_disabled_and_enabled_through_its_buttons(
    page: Page, console: ConsoleStack
) -> None:
    sign_in(page, console, "super")
    _open_user(page, console, "bob@acme.example")
    row = page.get_by_role("row").filter(has_text=CREDENTIAL_BOB)
    assert "Enabled" in row.inner_text() and "Not set" in row.inner_text()
    assert page.get_by_role("button", name=f"Delete {CREDENTIAL_BOB}").is_visible()
    page.get_by_role("button", name=f"Disable {CREDENTIAL_BOB}").click()
    page.wait_for_load_state()
    done = page.get_by_role("status").inner_text()
    assert done == f"DS100 OTP credential {CREDENTIAL_BOB} disabled."
    assert "Disabled" in row.inner_text()
    shot(page, console, "ds100-disabled")
    page.get_by_role("button", name=f"Enable {CREDENTIAL_BOB}").click()
    page.wait_for_load_state()
    assert "Enabled" in row.inner_text()
    assert page.get_by_role("button", name=f"Disable {CREDENTIAL_BOB}").is_visible()
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_load_state()
    for action in ("DISABLE_DS100_OTP", "ENABLE_DS100_OTP"):
        logged = page.get_by_role("row").filter(has_text=action)
        assert logged.count() == 1 and "super@acme.example" in logged.inner_text()


def test_an_emergency_tokencode_is_shown_once(page: Page, console: ConsoleStack) -> None:
    sign_in(page, console, "helpdesk")
    user_url = _open_user(page, console, "bob@acme.example")
    page.get_by_role("button", name="Issue emergency tokencode").click()
    page.wait_for_load_state()
    code = page.get_by_label("Emergency tokencode", exact=True)
    assert re.fullmatch(r"[0-9A-Za-z]{8}", code.inner_text().strip())
    assert page.get_by_text("Valid until").is_visible()
    assert page.get_by_role("button", name="Copy").is_visible()
    shot(page, console, "emergency-issued")
    page.goto(user_url)
    assert page.get_by_label("Emergency tokencode", exact=True).count() == 0
    assert page.get_by_text("Emergency tokencode active until").is_visible()
    shot(page, console, "emergency-reloaded")
    page.get_by_role("button", name="Disable emergency tokencode").click()
    page.wait_for_load_state()
    assert page.get_by_text("No emergency tokencode").is_visible()


def test_help_desk_sees_no_super_admin_pages_and_a_forged_post_is_refused(
    page: Page, console: ConsoleStack
) -> None:
    sign_in(page, console, "helpdesk")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Audit log").count() == 0
    assert nav.get_by_role("link", name="Company settings").count() == 0
    user_url = _open_user(page, console, "alice@acme.example")
    assert page.get_by_role("button", name="Disable user").count() == 0
    assert page.get_by_role("button", name="Mark deleted").count() == 0
    response = page.goto(f"{console.base_url}/console/audit")
    assert response is not None and response.status == 403
    shot(page, console, "help-desk-audit-refused")
    page.goto(user_url)
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    forged = page.request.post(f"{user_url}/status/disable", form={"csrf": csrf or ""})
    assert forged.status == 403
    with console.db.unit_of_work() as uow:
        alice = uow.users.get(console.tenant.company_id, console.tenant.user_ids["alice"])
    assert alice is not None and alice.status.value == "Enabled"
    bob_url = user_url.replace(console.tenant.user_ids["alice"], console.tenant.user_ids["bob"])
    delete = f"{bob_url}/ds100/{DEVICE_SPARE_OWNER_BOB}/{CREDENTIAL_BOB}/delete"
    assert page.request.post(delete, form={"csrf": csrf or ""}).status == 403
    with console.db.unit_of_work() as uow:
        assert uow.ds100.get_credential(console.tenant.company_id, CREDENTIAL_BOB) is not None


def test_a_post_without_the_csrf_token_is_refused(page: Page, console: ConsoleStack) -> None:
    sign_in(page, console, "super")
    user_url = _open_user(page, console, "bob@acme.example")
    refused = page.request.post(f"{user_url}/status/disable", form={})
    assert refused.status == 403
    wrong = page.request.post(f"{user_url}/status/disable", form={"csrf": "0" * 64})
    assert wrong.status == 403
    page.goto(user_url)
    assert page.get_by_role("button", name="Disable user").is_visible()  # still enabled


def test_super_admin_disables_and_enables_a_user(page: Page, console: ConsoleStack) -> None:
    sign_in(page, console, "super")
    _open_user(page, console, "dave@acme.example")
    page.get_by_role("button", name="Disable user").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Enable user").is_visible()
    page.get_by_role("button", name="Mark deleted").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Undelete").is_visible()
    shot(page, console, "user-marked-deleted")
    page.get_by_role("button", name="Undelete").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Enable user").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Disable user").is_visible()
    page.get_by_role("link", name="Company settings").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="API keys").is_visible()
    shot(page, console, "settings")
    validity = page.get_by_label("Emergency tokencode validity (hours, 1 to 168)")
    validity.fill("12")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Settings saved."
    assert validity.input_value() == "12"
    with console.db.unit_of_work() as uow:
        last = [
            e.event
            for e in uow.audit.iter_all()
            if e.event.action.value == "CHANGE_EMERGENCY_ACCESS_SETTINGS"
        ][-1]
    assert last.admin_email == "super@acme.example" and "12h" in last.message
    validity.fill("500")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()
    assert "must be 1 to 168" in page.get_by_role("alert").inner_text()

    page.get_by_role("link", name="Company settings").click()
    page.wait_for_load_state()
    page.get_by_label("Emergency tokencode length (characters, 6 to 32)").fill("10")
    page.get_by_label("Characters codes are drawn from (letters and digits, at least 10)").fill(
        "0123456789"
    )
    page.get_by_label("Offline validity beyond the online expiry (hours, 0 to 720)").fill("48")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Settings saved."
    with console.db.unit_of_work() as uow:
        company = uow.companies.get(console.tenant.company_id)
    assert company is not None
    saved = company.emergency_access
    assert (saved.code_length, saved.alphabet, saved.offline_validity) == (
        10,
        "0123456789",
        timedelta(hours=48),
    )
    page.get_by_label("Characters codes are drawn from (letters and digits, at least 10)").fill(
        "aA23456789"
    )
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()
    assert "both cases" in page.get_by_role("alert").inner_text()
    with console.db.unit_of_work() as uow:
        unchanged = uow.companies.get(console.tenant.company_id)
    assert unchanged is not None and unchanged.emergency_access.alphabet == "0123456789"
    # Back to the defaults, for the module's other tests.
    page.get_by_role("link", name="Company settings").click()
    page.wait_for_load_state()
    page.get_by_label("Emergency tokencode length (characters, 6 to 32)").fill("8")
    page.get_by_label("Characters codes are drawn from (letters and digits, at least 10)").fill(
        UNAMBIGUOUS_ALPHANUMERIC
    )
    page.get_by_label("Offline validity beyond the online expiry (hours, 0 to 720)").fill("168")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Settings saved."


def test_the_user_page_fits_a_phone(browser: object, console: ConsoleStack) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    try:
        sign_in(phone, console, "helpdesk")
        _open_user(phone, console, "bob@acme.example")
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert phone.get_by_role("button", name=f"Clear PIN {CREDENTIAL_BOB}").is_visible()
        assert phone.get_by_role("button", name=f"Delete {CREDENTIAL_BOB}").count() == 0
        shot(phone, console, "phone-user")
    finally:
        context.close()


def test_revoking_an_admins_api_key_ends_their_console_session(
    page: Page, browser: object, console: ConsoleStack
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    other = browser.new_context()
    help_desk = other.new_page()
    try:
        sign_in(help_desk, console, "helpdesk")
        sign_in(page, console, "super")
        page.get_by_role("link", name="Company settings").click()
        access_id = console.tenant.admins["helpdesk"].access_id
        page.get_by_role("button", name=f"Revoke {access_id}").click()
        page.wait_for_load_state()
        assert page.get_by_role("status").inner_text() == f"API key {access_id} revoked"
        help_desk.goto(f"{console.base_url}/console/users")
        assert "/console/login" in help_desk.url
    finally:
        other.close()


def test_an_admin_without_their_token_signs_in_with_an_emergency_tokencode(
    page: Page, browser: object, console: ConsoleStack
) -> None:
    from playwright.sync_api import Browser

    from tests.console.browsing import open_login, submit_login
    from tests.console.conftest import PASSWORD

    assert isinstance(browser, Browser)
    sign_in(page, console, "super")
    _open_user(page, console, "newpin@acme.example")
    page.get_by_role("button", name="Issue emergency tokencode").click()
    page.wait_for_load_state()
    code = page.get_by_label("Emergency tokencode", exact=True).inner_text().strip()
    other = browser.new_context()
    caller = other.new_page()
    try:
        open_login(caller, console)
        submit_login(caller, console, "newpin@acme.example", PASSWORD, code)
        assert caller.get_by_role("heading", name="Dashboard").is_visible()
    finally:
        other.close()


def test_the_core_actions_work_without_javascript(browser: object, console: ConsoleStack) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    try:
        sign_in(plain, console, "helpdesk")
        _open_user(plain, console, "bob@acme.example")
        plain.get_by_role("button", name="Clear PIN 000200000002").click()
        plain.wait_for_load_state()
        assert "PIN of token 000200000002 cleared" in plain.get_by_role("status").inner_text()
        plain.get_by_role("button", name="Issue emergency tokencode").click()
        plain.wait_for_load_state()
        assert plain.get_by_label("Emergency tokencode", exact=True).is_visible()
        assert not plain.get_by_role("button", name="Copy").is_visible()  # script only
        shot(plain, console, "no-javascript-emergency")
    finally:
        context.close()
