"""Database failures as one line an operator can act on: the driver's own words, never
SQLAlchemy's wrapping (statement, parameters, links to its documentation) nor a password."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError


class DatabaseUnavailable(Exception):
    """The database cannot be opened or used; the message is one line."""


def display_url(url: str) -> str:
    """The URL with any password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.rsplit("@", maxsplit=1)[-1] if "@" in url else url


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def describe_database_error(error: BaseException) -> str | None:
    """One line for an error that came from the database layer, or None for any other error."""
    if not isinstance(error, SQLAlchemyError):
        return None
    if isinstance(error, DBAPIError) and error.orig is not None:
        detail = _first_line(str(error.orig)) or type(error.orig).__name__
    else:
        detail = _first_line(str(error.args[0])) if error.args else type(error).__name__
    return detail
