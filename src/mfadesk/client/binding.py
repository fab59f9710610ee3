"""One declaration per endpoint, bound as a method of both clients.

``lookup_user = endpoint(users.lookup_user)`` in `AdminMethods` makes
``AdminClient.lookup_user(email) -> UserDetailsResponse`` and
``AsyncAdminClient.lookup_user(email) -> Awaitable[UserDetailsResponse]``, with the builder's
signature and docstring (the overloads below tell type checkers the same).
``iter_users = listing(users.iter_users)`` does the same for a paged listing: an iterator on
`AdminClient`, an async iterator on `AsyncAdminClient`, fetching one page at a time.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, ParamSpec, Self, TypeVar, overload

from mfadesk.client.operation import Operation
from mfadesk.client.paging import Listing

P = ParamSpec("P")
T = TypeVar("T")
Y = TypeVar("Y")


class SyncRunner:
    """A client that runs an operation and returns its result."""

    def _call(self, operation: Operation[T]) -> T:
        raise NotImplementedError


class AsyncRunner:
    """A client that runs an operation in a coroutine."""

    async def _call(self, operation: Operation[T]) -> T:
        raise NotImplementedError


class endpoint(Generic[P, T]):  # noqa: N801 - used like a decorator/function
    def __init__(self, build: Callable[P, Operation[T]]) -> None:
        self._build = build
        self._name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, client: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, client: SyncRunner, owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, client: AsyncRunner, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, client: object, owner: type[Any]) -> Any:
        if client is None:
            return self
        build = self._build
        method: Callable[..., Any]
        if isinstance(client, AsyncRunner):

            async def method(*args: Any, **kwargs: Any) -> Any:
                return await client._call(build(*args, **kwargs))

        elif isinstance(client, SyncRunner):

            def method(*args: Any, **kwargs: Any) -> Any:
                return client._call(build(*args, **kwargs))

        else:
            raise TypeError(f"{type(client).__name__} is not an mfadesk client")
        functools.update_wrapper(method, build)
        method.__name__ = method.__qualname__ = self._name
        client.__dict__[self._name] = method  # bound once per client
        return method


def _walk(client: SyncRunner, pages: Listing[Y]) -> Iterator[Y]:
    number = 0
    while True:
        items, more = pages.take(client._call(pages.page(number)), number)
        yield from items
        if not more:
            return
        number += 1


async def _walk_async(client: AsyncRunner, pages: Listing[Y]) -> AsyncIterator[Y]:
    number = 0
    while True:
        items, more = pages.take(await client._call(pages.page(number)), number)
        for item in items:
            yield item
        if not more:
            return
        number += 1


class listing(Generic[P, Y]):  # noqa: N801 - used like a decorator/function
    """A paged listing as an iterator (sync client) or an async iterator (async client)."""

    def __init__(self, build: Callable[P, Listing[Y]]) -> None:
        self._build = build
        self._name = build.__name__
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, client: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, client: SyncRunner, owner: type[Any]) -> Callable[P, Iterator[Y]]: ...
    @overload
    def __get__(self, client: AsyncRunner, owner: type[Any]) -> Callable[P, AsyncIterator[Y]]: ...
    def __get__(self, client: object, owner: type[Any]) -> Any:
        if client is None:
            return self
        build = self._build
        method: Callable[..., Any]
        # The listing is built at the call, so bad arguments fail there, not at the first page.
        if isinstance(client, AsyncRunner):

            def method(*args: Any, **kwargs: Any) -> Any:
                return _walk_async(client, build(*args, **kwargs))

        elif isinstance(client, SyncRunner):

            def method(*args: Any, **kwargs: Any) -> Any:
                return _walk(client, build(*args, **kwargs))

        else:
            raise TypeError(f"{type(client).__name__} is not an mfadesk client")
        functools.update_wrapper(method, build)
        method.__name__ = method.__qualname__ = self._name
        client.__dict__[self._name] = method
        return method
