"""Hot statements: compiled once per dialect, then run straight on the driver's cursor.

SQLAlchemy Core's execution path (cache lookup, execution context, events, result objects) costs
15-20 µs per statement, several times what SQLite itself needs. The admin API's requests are a
handful of such statements, so the repositories' pre-built statements are wrapped here:
SQLAlchemy still renders the SQL and supplies each column type's value conversions for the
dialect, and the statement then runs on the same DBAPI connection, inside the same transaction
as everything else the unit of work does.

Only plain statements qualify: no expanding (IN) or literal-rendered parameters, no statement
options that need SQLAlchemy at execution time. Anything else stays on ``Connection.execute``.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, DateTime, LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any]
_NO_PARAMS: Mapping[str, Any] = MappingProxyType({})
_PROBES = (
    datetime(2026, 11, 22, 7, 10, 0, 123456, tzinfo=UTC),
    datetime(2026, 1, 2, 3, 4, 5),
    datetime(1, 1, 1),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
)


def _datetime_processors(
    type_: TypeEngine[Any], dialect: Dialect
) -> tuple[Processor | None, Processor | None]:
    """SQLite keeps datetimes as ``YYYY-MM-DD HH:MM:SS.ffffff`` text; SQLAlchemy's conversions
    (string formatting, a regular expression) are a good part of a statement's cost. The same
    conversions through ``isoformat``/``fromisoformat`` are used instead — but only once they
    have given exactly SQLAlchemy's results on probe values; anything unusual goes to SQLAlchemy.
    Bytes go to sqlite3 as they are (SQLAlchemy would wrap each in a memoryview first).
    """
    impl = type_.dialect_impl(dialect)
    to_db, from_db = impl.bind_processor(dialect), impl.result_processor(dialect, None)
    if dialect.name == "sqlite" and isinstance(type_, LargeBinary):
        return None, from_db  # sqlite3 takes bytes as they are (SQLAlchemy wraps them)
    if to_db is None or from_db is None or not isinstance(type_, DateTime):
        return to_db, from_db
    slow_to_db, slow_from_db = to_db, from_db

    def fast_to_db(value: Any) -> Any:
        if type(value) is datetime:
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")
        return slow_to_db(value)

    def fast_from_db(value: Any) -> Any:
        if type(value) is str and len(value) == 26:
            return datetime.fromisoformat(value)
        return slow_from_db(value)

    stored = [slow_to_db(probe) for probe in _PROBES]
    if [fast_to_db(p) for p in _PROBES] != stored:
        return slow_to_db, slow_from_db
    if [fast_from_db(text) for text in stored] != [slow_from_db(text) for text in stored]:
        return fast_to_db, slow_from_db
    return fast_to_db, fast_from_db


class _Compiled:
    """One statement rendered for one dialect, with its value conversions."""

    __slots__ = ("conversions", "defaults", "keys", "names", "positional", "results", "row", "sql")

    def __init__(self, statement: Select[Any] | UpdateBase, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("statements with expanding or literal parameters are not prepared")
        if compiled.insert_prefetch or compiled.update_prefetch:
            # Their values come from SQLAlchemy's execution context, which is bypassed here.
            raise ValueError("statements leaving Python-side column defaults are not prepared")
        self.sql = compiled.string
        self.positional = compiled.positional
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        escaped: Mapping[str, str] = compiled.escaped_bind_names or {}
        self.names = [escaped.get(name, name) for name in names]  # as the SQL names them
        self.keys: list[str] = []  # as the caller passes them
        self.conversions: list[tuple[int, Processor]] = []
        self.defaults: dict[str, Any] = {}  # constants in the statement (anonymous parameters)
        for index, name in enumerate(names):
            bind = compiled.binds[name]
            self.keys.append(bind.key)
            processor = _datetime_processors(bind.type, dialect)[0]
            if processor is not None:
                self.conversions.append((index, processor))
            if not bind.required:
                self.defaults[bind.key] = bind.effective_value
        columns = list(statement.selected_columns) if isinstance(statement, Select) else []
        self.results: list[tuple[int, Processor]] = []
        for index, column in enumerate(columns):
            processor = _datetime_processors(column.type, dialect)[1]
            if processor is not None:
                self.results.append((index, processor))
        self.row: Any = namedtuple("Row", [c.key for c in columns]) if columns else None  # type: ignore[misc]

    def parameters(self, given: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        if self.defaults:
            given = {**self.defaults, **given}
        try:
            values = [given[key] for key in self.keys]
        except KeyError as missing:
            raise KeyError(f"no value for parameter {missing} of {self.sql!r}") from None
        for index, processor in self.conversions:
            values[index] = processor(values[index])
        if self.positional:
            return tuple(values)
        return dict(zip(self.names, values, strict=True))

    def many(self, rows: Sequence[Mapping[str, Any]], constants: Mapping[str, Any]) -> list[Any]:
        """`parameters` for each row, the shared `constants` converted once."""
        converters = dict(self.conversions)
        fixed = {**self.defaults, **constants}
        template: list[Any] = [None] * len(self.keys)
        varying: list[tuple[int, str, Processor | None]] = []
        for index, key in enumerate(self.keys):
            processor = converters.get(index)
            if key in fixed:
                template[index] = fixed[key] if processor is None else processor(fixed[key])
            else:
                varying.append((index, key, processor))
        values: list[Any] = []
        for row in rows:
            picked = template.copy()
            for index, key, processor in varying:
                picked[index] = row[key] if processor is None else processor(row[key])
            values.append(
                tuple(picked) if self.positional else dict(zip(self.names, picked, strict=True))
            )
        return values

    def make_row(self, values: Any) -> Any:
        if self.results:
            values = list(values)
            for index, processor in self.results:
                values[index] = processor(values[index])
        return self.row._make(values)


class Prepared:
    """A pre-built Core statement, run with the least work per call."""

    __slots__ = ("_by_dialect", "statement")

    def __init__(self, statement: Select[Any] | UpdateBase) -> None:
        self.statement = statement
        self._by_dialect: dict[tuple[str, str], _Compiled] = {}

    def _compiled(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        key = (dialect.name, dialect.driver)  # the driver decides the parameter style
        compiled = self._by_dialect.get(key)
        if compiled is None:
            compiled = self._by_dialect[key] = _Compiled(self.statement, dialect)
        return compiled

    def _run(self, connection: Connection, params: Mapping[str, Any]) -> tuple[_Compiled, Any]:
        compiled = self._compiled(connection)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, compiled.parameters(params))
        except BaseException:
            cursor.close()
            raise
        return compiled, cursor

    def one_or_none(self, connection: Connection, params: Mapping[str, Any] = _NO_PARAMS) -> Any:
        """The only row, or None; more than one row is a programming error."""
        compiled, cursor = self._run(connection, params)
        try:
            rows = cursor.fetchmany(2)
        finally:
            cursor.close()
        if len(rows) > 1:
            raise LookupError(f"more than one row from {compiled.sql!r}")
        return compiled.make_row(rows[0]) if rows else None

    def one(self, connection: Connection, params: Mapping[str, Any] = _NO_PARAMS) -> Any:
        row = self.one_or_none(connection, params)
        if row is None:
            raise LookupError(f"no row from {self._compiled(connection).sql!r}")
        return row

    def first(self, connection: Connection, params: Mapping[str, Any] = _NO_PARAMS) -> Any:
        compiled, cursor = self._run(connection, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return None if row is None else compiled.make_row(row)

    def all(self, connection: Connection, params: Mapping[str, Any] = _NO_PARAMS) -> list[Any]:
        compiled, cursor = self._run(connection, params)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return [compiled.make_row(row) for row in rows]

    def execute(self, connection: Connection, params: Mapping[str, Any] = _NO_PARAMS) -> int:
        """Run an INSERT/UPDATE/DELETE; the number of rows it matched."""
        _, cursor = self._run(connection, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def execute_many(
        self,
        connection: Connection,
        rows: Sequence[Mapping[str, Any]],
        constants: Mapping[str, Any] = _NO_PARAMS,
    ) -> int:
        """Run an INSERT/UPDATE once per row in one driver call (bulk work); `constants` are
        the values every row shares (converted once). The number of rows matched in all."""
        if not rows:
            return 0
        compiled = self._compiled(connection)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(compiled.sql, compiled.many(rows, constants))
            return int(cursor.rowcount)
        finally:
            cursor.close()
