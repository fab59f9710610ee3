"""Between the wire's paging parameters and the domain's pages."""

from __future__ import annotations

from typing import Any, TypedDict

from mfadesk.domain.paging import Page, PageRequest
from mfadesk.wire.paging import PageQuery


class PageFields(TypedDict):
    """The fields of `wire.paging.PageMetadata`, to spread into a paged reply's model."""

    totalPages: int
    totalElements: int
    pageSize: int
    currentPage: int


def page_request(query: PageQuery) -> PageRequest:
    return PageRequest(number=query.pageNumber, size=query.pageSize)


def page_metadata(page: Page[Any]) -> PageFields:
    return {
        "totalPages": page.total_pages,
        "totalElements": page.total,
        "pageSize": page.request.size,
        "currentPage": page.request.number,
    }
