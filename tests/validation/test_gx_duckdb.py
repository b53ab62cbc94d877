"""The buffered DuckDB dialect: GX gets correct results through it, and buffering is bounded.

test_plain_dialect_still_loses_results documents the upstream bug this works around; when
it fails, GX or duckdb-engine has fixed it and analysis.validation.gx_duckdb can go.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlalchemy as sa

from analysis.validation import gx_duckdb

FAILING_QUERY = "SELECT f.id, f.x FROM (SELECT * FROM {batch}) AS f WHERE f.x > 5"


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gx_duckdb") / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT i AS id, i::DOUBLE AS x FROM range(10) r(i)")
    con.close()
    return path


@pytest.fixture(scope="module")
def gx() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations

    return great_expectations


def _validate(gx: Any, url: str, expectation: Any) -> Any:
    """One expectation on table t through a fresh ephemeral context; engines disposed after."""
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql(
        name="d", connection_string=url, kwargs={"connect_args": {"read_only": True}}
    )
    try:
        batch = source.add_table_asset(name="t", table_name="t").add_batch_definition_whole_table(
            "all").get_batch()
        return batch.validate(expectation, result_format="COMPLETE")
    finally:
        source.get_engine().dispose()
        source.get_execution_engine().close()


def test_buffered_dialect_reports_failing_expectation(gx: Any, small_db: Path) -> None:
    result = _validate(gx, gx_duckdb.url_for(small_db),
                       gx.expectations.UnexpectedRowsExpectation(unexpected_rows_query=FAILING_QUERY))
    assert result.success is False
    assert result.result["observed_value"] == 4
    assert [row["id"] for row in result.result["details"]["unexpected_rows"]] == [6, 7, 8, 9]


def test_buffered_dialect_column_metrics(gx: Any, small_db: Path) -> None:
    result = _validate(gx, gx_duckdb.url_for(small_db),
                       gx.expectations.ExpectColumnValuesToBeBetween(column="x", max_value=5))
    assert result.success is False
    assert result.result["element_count"] == 10
    assert result.result["unexpected_count"] == 4


def test_plain_dialect_still_loses_results(gx: Any, small_db: Path) -> None:
    """Upstream bug (GX #10738, #11579): through duckdb:/// every metric comes back empty."""
    result = _validate(gx, f"duckdb:///{small_db}",
                       gx.expectations.UnexpectedRowsExpectation(unexpected_rows_query=FAILING_QUERY))
    fixed_upstream = bool(result.result) and result.result.get("observed_value") == 4
    assert not fixed_upstream, \
        "duckdb:/// works now: analysis.validation.gx_duckdb may be removable"
    assert result.success is False and not result.result  # failed, but with no count at all
    messages = " ".join(str(v) for v in result.exception_info.values())
    assert "not subscriptable" in messages  # fetchone() returned None: the rows were gone


def _engine(path: Path, **kwargs: Any) -> sa.Engine:
    return sa.create_engine(gx_duckdb.url_for(path), connect_args={"read_only": True}, **kwargs)


def _released_result(engine: sa.Engine, sql: str, **options: Any) -> sa.CursorResult:
    # Exactly GX's pattern: the result is read after the connection went back to the pool.
    with engine.connect() as connection:
        return connection.execution_options(**options).execute(sa.text(sql))


def test_results_survive_the_connection(small_db: Path) -> None:
    engine = _engine(small_db)
    try:
        result = _released_result(engine, "SELECT id FROM t ORDER BY id")
        assert [row.id for row in result.fetchall()] == list(range(10))
        assert _released_result(engine, "SELECT count(*) FROM t").scalar_one() == 10
    finally:
        engine.dispose()


def test_buffering_is_bounded(small_db: Path) -> None:
    engine = _engine(small_db, max_buffered_rows=100)
    try:
        # Fifty million rows would take seconds and gigabytes if buffered; DuckDB streams, so
        # only the first 101 are computed.
        result = _released_result(engine, "SELECT i FROM range(50000000) r(i)")
        assert len(result.cursor_strategy._rowbuffer) == 100
        assert [row.i for row in result.fetchmany(100)] == list(range(100))
        with pytest.raises(gx_duckdb.BufferLimitExceeded):
            result.fetchone()  # row 101 was not kept: refuse rather than pretend the end
        with pytest.raises(gx_duckdb.BufferLimitExceeded):
            _released_result(engine, "SELECT i FROM range(1000) r(i)").fetchall()
        exact = _released_result(engine, "SELECT i FROM range(100) r(i)").fetchall()
        assert len(exact) == 100  # a result of exactly the limit is complete
        more = _released_result(engine, "SELECT i FROM range(1000) r(i)", max_buffered_rows=2000)
        assert len(more.fetchall()) == 1000  # per-statement override
    finally:
        engine.dispose()


def test_read_only_via_connect_args(small_db: Path) -> None:
    engine = _engine(small_db)
    try:
        with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError, match="read-only"):
            connection.execute(sa.text("CREATE TABLE u (i INTEGER)"))
    finally:
        engine.dispose()
    duckdb.connect(str(small_db)).close()  # disposed: the file opens read-write again
