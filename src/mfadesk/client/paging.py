"""Paged listings (user search, audit export) walked page by page by either client.

A listing builder returns a `Listing`: the operation for page *n* (zero-based) and a `take`
that turns a page's body into what the walk hands out (the page itself, or its elements)
and says whether another page follows. `binding.listing` runs it with the sync or the async
client, so the walking rule is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from mfadesk.client.operation import Operation

Y = TypeVar("Y")
E = TypeVar("E")
E_co = TypeVar("E_co", covariant=True)
B = TypeVar("B", bound="PageBody[Any]")


class PageBody(Protocol[E_co]):
    """What every paged reply of the contract carries."""

    @property
    def totalPages(self) -> int: ...  # noqa: N802 - the contract's field
    @property
    def elements(self) -> Sequence[E_co]: ...


@dataclass(frozen=True, slots=True)
class Listing(Generic[Y]):
    page: Callable[[int], Operation[Any]]
    take: Callable[[Any, int], tuple[Sequence[Y], bool]]


def _more(body: PageBody[Any], number: int) -> bool:
    """Another page follows: this one was not empty and the totals promise more."""
    return bool(body.elements) and number + 1 < body.totalPages


def pages_of(page: Callable[[int], Operation[B]]) -> Listing[B]:
    """Hand out each page's body, from page 0 to the last."""

    def take(body: B, number: int) -> tuple[Sequence[B], bool]:
        return [body], _more(body, number)

    return Listing(page, take)


def elements_of(
    page: Callable[[int], Operation[B]],
    elements: Callable[[B], Sequence[E]],
    unique: Callable[[E], Hashable] | None = None,
) -> Listing[E]:
    """Hand out every element of every page. With `unique`, an element seen on an earlier page
    is not handed out again (a listing without a snapshot shifts when entries are added)."""
    seen: set[Hashable] = set()

    def take(body: B, number: int) -> tuple[Sequence[E], bool]:
        found = elements(body)
        if unique is not None:
            found = [e for e in found if unique(e) not in seen]
            seen.update(unique(e) for e in found)
        return found, _more(body, number)

    return Listing(page, take)
