"""A DuckDB SQLAlchemy dialect that buffers result rows, so Great Expectations can read them.

Why this exists
---------------
Great Expectations (GX) 1.x runs a metric query with
``with engine.connect() as c: result = c.execute(query)`` and reads ``result`` only *after* the
``with`` block has returned the connection to the pool. duckdb-engine's DBAPI "cursor" is the
DuckDB connection itself and does not buffer: returning the connection to the pool rolls it
back, which discards the pending result. GX then sees no rows, so every metric is empty
(``table.row_count`` fails with "list index out of range", ``UnexpectedRowsExpectation`` with
"'NoneType' object is not subscriptable") and every expectation fails without a count.
Reproduced on great-expectations 1.24.1, duckdb-engine 0.17.0, duckdb 2.0.0, SQLAlchemy 2.1
(``tests/validation/test_gx_duckdb.py`` keeps a test that documents it). Upstream reports: GX issues
#10738 and #11579; a native DuckDB execution engine for GX exists only as an open pull request.

The fix is SQLAlchemy's own idea for drivers whose results die with the conversation
(``FullyBufferedCursorFetchStrategy``, used e.g. for MSSQL ``OUTPUT`` rows): the execution
context reads the rows in ``post_exec``, while the connection is still checked out.

Buffering is bounded. A naive ``fetchall()`` would also pull every row of an unexpected-rows
query that matches millions of rows. GX itself never needs many: it reads counts (one row) and
at most ``great_expectations.constants.MAX_RESULT_RECORDS`` (200) sample rows via
``fetchmany(200)``, and DuckDB streams results, so fetching a bounded prefix also bounds
DuckDB's work. We buffer up to ``max_buffered_rows`` (default 10 000) rows; a result that is
longer keeps only that prefix, and reading *past* the prefix raises ``BufferLimitExceeded``
instead of silently returning a truncated result. Raise the limit per engine
(``create_engine(url, max_buffered_rows=...)``) or per statement
(``conn.execution_options(max_buffered_rows=...)``).

When to remove it
-----------------
Delete this module (and use ``duckdb:///`` URLs again) when GX ships a native DuckDB engine or
when duckdb-engine buffers results itself. ``test_plain_dialect_still_loses_results`` in
``tests/validation/test_gx_duckdb.py`` starts failing when that happens.

Usage: ``import analysis.validation.gx_duckdb`` registers the dialect; then
``create_engine("duckdb_buffered:////abs/path/file.duckdb",
connect_args={"read_only": True})`` works, and so does a GX SQL data source with that
connection string and ``kwargs={"connect_args": {"read_only": True}}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from duckdb_engine import Dialect as DuckDBDialect
from sqlalchemy.dialects import registry
from sqlalchemy.engine.cursor import FullyBufferedCursorFetchStrategy

DIALECT_NAME = "duckdb_buffered"
DEFAULT_MAX_BUFFERED_ROWS = 10_000


class BufferLimitExceeded(RuntimeError):
    """A caller read past the bounded row buffer; the rest of the result is gone."""


class _BoundedBufferStrategy(FullyBufferedCursorFetchStrategy):
    """Serves a buffered prefix of a longer result and refuses to pretend it is all of it."""

    __slots__ = ("_limit",)

    def __init__(self, description: Any, rows: Iterable[Any], limit: int):
        super().__init__(None, alternate_description=description, initial_buffer=rows)
        self._limit = limit

    def _refuse(self) -> None:
        raise BufferLimitExceeded(
            f"result has more than {self._limit} rows; only the first {self._limit} were "
            "buffered before the DuckDB connection went back to the pool. Add a LIMIT, or "
            "raise max_buffered_rows (create_engine or execution_options)."
        )

    def fetchone(self, result: Any, dbapi_cursor: Any, hard_close: bool = False) -> Any:
        if not self._rowbuffer:
            self._refuse()
        return self._rowbuffer.popleft()

    def fetchmany(self, result: Any, dbapi_cursor: Any, size: int | None = None) -> Any:
        if size is None or size > len(self._rowbuffer):
            self._refuse()
        return super().fetchmany(result, dbapi_cursor, size)

    def fetchall(self, result: Any, dbapi_cursor: Any) -> Any:
        self._refuse()


class BufferedExecutionContext(DuckDBDialect.execution_ctx_cls):  # type: ignore[name-defined,misc]
    """Reads (a bounded prefix of) every row-returning result before the connection is released."""

    def post_exec(self) -> None:
        super().post_exec()
        description = self.cursor.description
        if description is None:  # DDL, INSERT, SET ...: nothing to keep
            return
        limit = int(self.execution_options.get("max_buffered_rows", self.dialect.max_buffered_rows))
        # One extra row tells "exactly `limit` rows" apart from "more than `limit` rows".
        rows = self.cursor.fetchmany(limit + 1)
        if len(rows) <= limit:
            self.cursor_fetch_strategy = FullyBufferedCursorFetchStrategy(
                None, alternate_description=description, initial_buffer=rows
            )
        else:
            self.cursor_fetch_strategy = _BoundedBufferStrategy(description, rows[:limit], limit)


class BufferedDuckDBDialect(DuckDBDialect):
    """duckdb-engine's dialect, buffering results; ``name`` stays "duckdb" so SQL compiles alike."""

    execution_ctx_cls = BufferedExecutionContext
    # Set explicitly (as the parent does): SQLAlchemy warns about subclasses that do not say.
    supports_statement_cache = False

    # A plain (not keyword-only) parameter: create_engine() finds dialect arguments by
    # inspecting positional parameter names, and would reject a keyword-only one.
    def __init__(self, max_buffered_rows: int = DEFAULT_MAX_BUFFERED_ROWS, **kwargs: Any):
        super().__init__(**kwargs)
        if max_buffered_rows < 1:
            raise ValueError("max_buffered_rows must be at least 1")
        self.max_buffered_rows = max_buffered_rows


registry.register(DIALECT_NAME, __name__, "BufferedDuckDBDialect")


def url_for(path: str | Path) -> str:
    """SQLAlchemy URL for a DuckDB file through the buffered dialect (absolute path)."""
    return f"{DIALECT_NAME}:///{Path(path).resolve()}"
