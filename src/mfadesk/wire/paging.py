"""Paging parameters and the metadata of a paged reply (zero-based ``pageNumber``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mfadesk.wire.base import QueryModel, ResponseModel

MAX_PAGE_SIZE = 100


class PageQuery(QueryModel):
    """``pageNumber`` (from 0, default 0) and ``pageSize`` (1..100, default 100).

    A listing with another bound redeclares ``pageSize``."""

    pageNumber: Annotated[int, Field(ge=0, le=2**31 - 1, description="Zero-based page number.")] = 0
    pageSize: Annotated[
        int, Field(ge=1, le=MAX_PAGE_SIZE, description="Entries per page, 1 to 100.")
    ] = MAX_PAGE_SIZE


class PageMetadata(ResponseModel):
    """What every paged reply carries beside its entries."""

    totalPages: int
    totalElements: int
    pageSize: int
    currentPage: int
