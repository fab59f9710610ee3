"""Page arithmetic shared by every paged listing (zero-based page numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    number: int  # zero-based
    size: int

    @property
    def offset(self) -> int:
        return self.number * self.size


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing of `total` items; a page past the end has no items."""

    request: PageRequest
    items: Sequence[T]
    total: int

    @property
    def total_pages(self) -> int:
        return -(-self.total // self.request.size)
