"""GET /v1/adminlog/exportlogs: windows, bounds, timestamp encodings and pages while events
arrive."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Stack
from tests.support.exports import EXPORT, at, company_event_ids, export, failed_lookup, ids, window


def test_empty_window_and_defaults(stack: Stack) -> None:
    past = stack.clock() - timedelta(days=30)
    body = export(
        stack, startTimeAfter=at(past), endTimeOnOrBefore=at(past + timedelta(days=1))
    ).json()
    assert body == {
        "totalPages": 0,
        "totalElements": 0,
        "pageSize": 100,
        "currentPage": 0,
        "elements": [],
    }
    # Empty values count as absent (a client filling in the contract's URL template).
    empty_params = export(stack, **window(stack), pageNumber="", pageSize="").json()
    assert (empty_params["pageSize"], empty_params["currentPage"]) == (100, 0)
    assert empty_params["totalElements"] == len(company_event_ids(stack))


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(hours=-1)])
def test_a_window_that_ends_where_it_starts_or_earlier_is_empty(
    stack: Stack, offset: timedelta
) -> None:
    now = stack.clock()
    body = export(stack, startTimeAfter=at(now), endTimeOnOrBefore=at(now + offset)).json()
    assert (body["totalElements"], body["elements"]) == (0, [])


def test_pages_partition_the_window(stack: Stack) -> None:
    for index in range(5):
        stack.clock.advance(timedelta(milliseconds=10))
        failed_lookup(stack, f"user{index}")
    everything = company_event_ids(stack)
    total = len(everything)
    size = 3
    last = (total - 1) // size
    pages = [
        export(stack, **window(stack), pageNumber=n, pageSize=size).json() for n in range(last + 1)
    ]
    for number, body in enumerate(pages):
        assert body["totalElements"] == total
        assert body["totalPages"] == last + 1
        assert (body["pageSize"], body["currentPage"]) == (size, number)
    assert [ids(body) for body in pages] == [
        everything[i : i + size] for i in range(0, total, size)
    ]
    assert len(ids(pages[last])) == total - last * size
    beyond = export(stack, **window(stack), pageNumber=last + 1, pageSize=size).json()
    assert beyond == {
        "totalPages": last + 1,
        "totalElements": total,
        "pageSize": size,
        "currentPage": last + 1,
        "elements": [],
    }


@pytest.mark.parametrize("size", [1, 100])
def test_page_size_bounds_are_accepted(stack: Stack, size: int) -> None:
    body = export(stack, **window(stack), pageSize=size).json()
    assert body["pageSize"] == size
    assert len(body["elements"]) == min(size, len(company_event_ids(stack)))


def test_no_duplicates_and_no_gaps_while_events_arrive(stack: Stack) -> None:
    for index in range(4):
        stack.clock.advance(timedelta(milliseconds=5))
        failed_lookup(stack, f"before{index}")
    query = window(stack, pageSize=3)
    snapshot = company_event_ids(stack)
    first = export(stack, **query, pageNumber=0).json()
    seen = ids(first)
    for page_number in range(1, first["totalPages"] + 1):
        # New events inside the window (it ends in the future) between every two pages.
        stack.clock.advance(timedelta(milliseconds=5))
        failed_lookup(stack, f"during{page_number}")
        body = export(stack, **query, pageNumber=page_number).json()
        assert (body["totalElements"], body["totalPages"]) == (
            first["totalElements"],
            first["totalPages"],
        )
        seen += ids(body)
    assert seen == snapshot  # every event once, in order, none of the new ones
    again = export(stack, **query, pageNumber=0).json()  # a new export sees the new events
    assert again["totalElements"] == len(snapshot) + first["totalPages"]
    rest = [export(stack, **query, pageNumber=n).json() for n in range(1, again["totalPages"])]
    assert ids(again) + [i for body in rest for i in ids(body)] == company_event_ids(stack)


def test_later_pages_without_a_first_page_and_stale_snapshots(stack: Stack) -> None:
    query = window(stack, pageSize=2)
    total = len(company_event_ids(stack))
    assert export(stack, **query, pageNumber=1).json()["totalElements"] == total
    failed_lookup(stack, "new")
    assert export(stack, **query, pageNumber=1).json()["totalElements"] == total
    stack.clock.advance(timedelta(hours=1))  # a snapshot is shared for at most an hour
    assert export(stack, **query, pageNumber=1).json()["totalElements"] == total + 1


def test_bounds_after_is_exclusive_and_on_or_before_is_inclusive(stack: Stack) -> None:
    base = stack.clock().replace(microsecond=0) + timedelta(minutes=1)
    moments = {
        "before": base - timedelta(milliseconds=1),
        "at-start": base,
        "at-start-half": base + timedelta(microseconds=500),  # shows as `base`
        "inside": base + timedelta(milliseconds=1),
        "at-end": base + timedelta(seconds=1),
        "at-end-half": base + timedelta(seconds=1, microseconds=999),  # shows as the end
        "after": base + timedelta(seconds=1, milliseconds=1),
    }
    for label, moment in moments.items():
        stack.clock.advance(moment - stack.clock())
        failed_lookup(stack, label)
    body = export(
        stack, startTimeAfter=at(base), endTimeOnOrBefore=at(base + timedelta(seconds=1))
    ).json()
    assert [e["targetObject1Name"].split("@")[0] for e in body["elements"]] == [
        "inside",
        "at-end",
        "at-end-half",
    ]
    assert [e["eventLogDate"] for e in body["elements"]] == [
        at(moments["inside"]),
        at(moments["at-end"]),
        at(moments["at-end"]),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "startTimeAfter={start}Z&endTimeOnOrBefore={end}Z",
        "startTimeAfter={start_plus}+01:00&endTimeOnOrBefore={end_minus}-05:30",  # raw '+'
        "startTimeAfter={start_plus}%2B01:00&endTimeOnOrBefore={end_minus}-05:30",
        "startTimeAfter={start_plus}%2B0100&endTimeOnOrBefore={end}%2B00:00",
        "startTimeAfter={start}z&endTimeOnOrBefore={end}Z&pageSize=100&pageNumber=0",
    ],
)
def test_both_timestamp_encodings_name_the_same_window(stack: Stack, query: str) -> None:
    base = stack.clock().replace(microsecond=0) + timedelta(minutes=1)
    for label in ("out", "in", "end"):
        stack.clock.advance(base - stack.clock())
        failed_lookup(stack, label)
        base += timedelta(seconds=10)
    start = base - timedelta(seconds=30)  # the "out" event
    end = base - timedelta(seconds=10)  # the "end" event

    def local(moment: datetime, hours: float) -> str:
        shifted = moment.astimezone(UTC) + timedelta(hours=hours)
        return shifted.strftime("%Y-%m-%dT%H:%M:%S.") + f"{shifted.microsecond // 1000:03d}"

    url = f"{EXPORT}?" + query.format(
        start=at(start)[:-1],
        end=at(end)[:-1],
        start_plus=local(start, 1),
        end_minus=local(end, -5.5),
    )
    with stack.client() as api:
        response = api.get(url)
    assert response.status_code == 200, response.text
    assert "+" not in query or "+" in str(response.request.url)  # sent raw, not encoded
    names = [e["targetObject1Name"].split("@")[0] for e in response.json()["elements"]]
    assert names == ["in", "end"]


def test_pages_hold_while_another_client_writes_concurrently(stack: Stack) -> None:
    stop = threading.Event()

    def write() -> None:
        with stack.client("helpdesk") as api:
            for index in range(200):  # bounded: stops by itself
                if stop.is_set():
                    return
                api.post("v1/users/lookup", json={"email": f"w{index}@nowhere.example"})

    writer = threading.Thread(target=write)
    writer.start()
    try:
        query = window(stack, pageSize=2)
        first = export(stack, **query).json()
        pages = [first] + [
            export(stack, **query, pageNumber=n).json() for n in range(1, first["totalPages"])
        ]
    finally:
        stop.set()
        writer.join(timeout=60)
    assert {(p["totalElements"], p["totalPages"]) for p in pages} == {
        (first["totalElements"], first["totalPages"])
    }
    seen = [event_id for page in pages for event_id in ids(page)]
    assert len(company_event_ids(stack)) > first["totalElements"]  # events did arrive
    # Exactly the events that existed at the first page, once each, in the chain's order.
    assert seen == company_event_ids(stack)[: first["totalElements"]]
