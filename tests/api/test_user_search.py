"""POST /v1/users/search and /v2/users/search?pageSize=&pageNumber=."""

from __future__ import annotations

from typing import Any

import pytest

from mfadesk.services.provisioning import Operator, add_user, ensure_company
from tests.conftest import Stack
from tests.support.wire import assert_error

VERSIONS = ["v1", "v2"]
EMPTY = {"totalPages": 0, "totalElements": 0, "elements": []}


def add_users(stack: Stack, *emails: str) -> None:
    op = Operator.start(stack.env)
    with stack.db.unit_of_work() as uow:
        company = uow.companies.get(stack.tenant.company_id)
        assert company is not None
        for email in emails:
            add_user(uow, op, company, email)


def search(stack: Stack, version: str, body: Any, admin: str = "super", **params: Any) -> Any:
    with stack.client(admin) as api:
        return api.post(f"{version}/users/search", json=body, params=params)


def emails(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [u["emailAddress"] for u in response.json()["elements"]]


@pytest.mark.parametrize("version", VERSIONS)
def test_elements_are_the_lookup_user_sorted_by_email(stack: Stack, version: str) -> None:
    response = search(stack, version, {"emailLike": "acme.example"}, admin="helpdesk")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["totalPages", "totalElements", "elements"]
    assert (body["totalPages"], body["totalElements"]) == (1, 4)
    assert emails(response) == [f"{n}@acme.example" for n in ("alice", "bob", "carol", "dave")]
    with stack.client() as api:
        for element in body["elements"]:
            details = api.post("v1/users/lookup", json={"email": element["emailAddress"]})
            assert element == details.json()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("needle", ["ALICE", "Alice@Acme", "ice@", " alice "])
def test_substring_in_any_case(stack: Stack, version: str, needle: str) -> None:
    assert emails(search(stack, version, {"emailLike": needle})) == ["alice@acme.example"]


@pytest.mark.parametrize("version", VERSIONS)
def test_no_match_is_an_empty_page(stack: Stack, version: str) -> None:
    response = search(stack, version, {"emailLike": "nobody"})
    assert (response.status_code, response.json()) == (200, EMPTY)


WILDCARDS = [
    ("_", ["a_b@w.example"]),
    ("a_b", ["a_b@w.example"]),
    ("%", ["100%@w.example"]),
    ("0%", ["100%@w.example"]),
    ("/", ["a/b@w.example"]),
    ("a/b", ["a/b@w.example"]),
    ("//", []),
    ("\\", ["a\\b@w.example"]),
    ("[a]", ["[a]@w.example"]),
]


@pytest.mark.parametrize("version", VERSIONS)
def test_wildcards_in_the_text_match_literally(stack: Stack, version: str) -> None:
    add_users(
        stack,
        "a_b@w.example",
        "axb@w.example",
        "100%@w.example",
        "1000@w.example",
        "a/b@w.example",
        "a\\b@w.example",
        "[a]@w.example",
    )
    for needle, expected in WILDCARDS:
        assert emails(search(stack, version, {"emailLike": needle})) == expected, needle


@pytest.fixture
def thirty(stack: Stack) -> Stack:
    add_users(stack, *[f"user{i:02d}@page.example" for i in range(30)])
    return stack


def page_emails(numbers: range) -> list[str]:
    return [f"user{i:02d}@page.example" for i in numbers]


@pytest.mark.parametrize("version", VERSIONS)
def test_default_page_is_the_first_25(thirty: Stack, version: str) -> None:
    response = search(thirty, version, {"emailLike": "@page."})
    assert response.json()["totalPages"] == 2 and response.json()["totalElements"] == 30
    assert emails(response) == page_emails(range(25))


@pytest.mark.parametrize("version", VERSIONS)
def test_pages_walk_through_all_matches(thirty: Stack, version: str) -> None:
    body = {"emailLike": "@page."}
    first = search(thirty, version, body, pageSize=7, pageNumber=0)
    assert (first.json()["totalPages"], first.json()["totalElements"]) == (5, 30)
    assert emails(first) == page_emails(range(7))
    assert emails(search(thirty, version, body, pageSize=7, pageNumber=3)) == page_emails(
        range(21, 28)
    )
    last = search(thirty, version, body, pageSize=7, pageNumber=4)  # the short last page
    assert emails(last) == page_emails(range(28, 30))
    assert (last.json()["totalPages"], last.json()["totalElements"]) == (5, 30)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("page_number", ["2", "5", "999999999", "9" * 40])
def test_a_page_past_the_end_is_empty_with_the_totals(
    thirty: Stack, version: str, page_number: str
) -> None:
    response = search(thirty, version, {"emailLike": "@page."}, pageSize=15, pageNumber=page_number)
    assert response.status_code == 200
    assert response.json() == {"totalPages": 2, "totalElements": 30, "elements": []}


@pytest.mark.parametrize("version", VERSIONS)
def test_page_size_bounds(thirty: Stack, version: str) -> None:
    one = search(thirty, version, {"emailLike": "@page."}, pageSize=1, pageNumber=29)
    assert emails(one) == ["user29@page.example"]
    assert one.json()["totalPages"] == 30
    full = search(thirty, version, {"emailLike": "@page."}, pageSize=25, pageNumber=1)
    assert emails(full) == page_emails(range(25, 30))


@pytest.mark.parametrize("version", VERSIONS)
def test_an_exact_multiple_has_no_extra_page(thirty: Stack, version: str) -> None:
    body = {"emailLike": "@page."}
    response = search(thirty, version, body, pageSize=10, pageNumber=2)
    assert response.json()["totalPages"] == 3 and emails(response) == page_emails(range(20, 30))
    assert search(thirty, version, body, pageSize=10, pageNumber=3).json()["elements"] == []


@pytest.mark.parametrize("version", VERSIONS)
def test_empty_parameters_mean_the_defaults(thirty: Stack, version: str) -> None:
    response = search(thirty, version, {"emailLike": "@page."}, pageSize="", pageNumber="")
    assert emails(response) == page_emails(range(25))


@pytest.mark.parametrize("version", VERSIONS)
def test_bad_page_size_is_400(stack: Stack, version: str) -> None:
    before = len(stack.audit_events())
    for value in ["0", "26", "-1", "abc", "1.5", "1e1", "+5", "100000000000"]:
        response = search(stack, version, {"emailLike": "a"}, pageSize=value)
        assert_error(response, 400, "BAD_REQUEST", "pageSize must be a whole number from 1 to 25")
    assert len(stack.audit_events()) == before


@pytest.mark.parametrize("version", VERSIONS)
def test_bad_page_number_is_400(stack: Stack, version: str) -> None:
    for value in ["-1", "x", "0.5", " -3"]:
        response = search(stack, version, {"emailLike": "a"}, pageNumber=value)
        assert_error(response, 400, "BAD_REQUEST", "pageNumber must be a whole number from 0")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b"{", "Malformed JSON request body."),
        (b"[]", "Malformed JSON request body."),
        (b"{}", "emailLike: Field required"),
        (b'{"emailLike": 5}', "emailLike: Input should be a valid string"),
        (b'{"emailLike": null}', "emailLike: Input should be a valid string"),
        (
            b'{"emailLike": "' + b"a" * 321 + b'"}',
            "emailLike: String should have at most 320 characters",
        ),
    ],
)
def test_bad_bodies_are_400(stack: Stack, version: str, body: bytes, description: str) -> None:
    with stack.client() as api:
        response = api.post(f"{version}/users/search", content=body)
    assert_error(response, 400, "BAD_REQUEST", description)


@pytest.mark.parametrize("version", VERSIONS)
def test_an_empty_text_matches_everyone(stack: Stack, version: str) -> None:
    assert len(emails(search(stack, version, {"emailLike": ""}))) == 4


def test_search_sees_only_the_callers_company(stack: Stack) -> None:
    op = Operator.start(stack.env)
    with stack.db.unit_of_work() as uow:
        other = ensure_company(uow, op, "Other Co")
        add_user(uow, op, other, "alice@other.example")
    assert emails(search(stack, "v2", {"emailLike": "alice"})) == ["alice@acme.example"]
