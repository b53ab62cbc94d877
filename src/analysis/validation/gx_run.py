"""Run a generated GX suite inside DuckDB through a GX checkpoint, one validation per batch.

Every rule is an ``UnexpectedRowsExpectation``, so GX sends two SQL queries a rule (a count
and a sample of at most 200 rows) and DuckDB does all the work; nothing is loaded into
pandas. The connection goes through ``analysis.validation.gx_duckdb`` (without it GX reads
every result as empty) and is READ-ONLY, and every engine is disposed before returning: the
caller then opens the same file read-write, which DuckDB refuses while a connection with another
configuration is open in the same process.

The context is the file context in ``gx/`` (its great_expectations.yml points the
expectations store at the top-level ``expectations/`` folder). The data source, assets,
validation definitions and checkpoint are made at run time and kept in memory only (the yml
configures in-memory stores), and the context never writes its yml back.

Great Expectations is imported inside the functions: the import takes 3-10 s, which
``python -m analysis build`` must not pay.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import paths
from analysis.errors import ProjectError

if TYPE_CHECKING:
    from great_expectations.checkpoint.checkpoint import CheckpointResult

DATASOURCE = "de_an_06_duckdb"
SAMPLE_LIMIT = 20
# GX reads at most 200 sample rows (great_expectations.constants.MAX_RESULT_RECORDS);
# buffering more would only make DuckDB compute rows nobody reads. Reflection queries GX
# issues (columns of one frame) stay far below this.
MAX_BUFFERED_ROWS = 1_000


class GxRunError(ProjectError):
    """GX could not run a suite as written (a rule that does not load or does not execute)."""


@dataclass(frozen=True)
class SampleRow:
    """One failing row as the rule shows it: the arithmetic that failed and what was due."""

    figure_id: str | None
    observed: str | None
    expected: str | None


@dataclass(frozen=True)
class Outcome:
    """The result of one rule on one batch."""

    asset: str
    rule_id: str
    severity: str
    success: bool
    unexpected_count: int
    sample: tuple[SampleRow, ...] = field(default=())


def _split_relation(relation: str) -> tuple[str | None, str]:
    schema, _, table = relation.rpartition(".")
    return (schema or None), table


def _load_config(gx_root: Path, expectations_dir: Path | None) -> tuple[dict[str, Any], Path]:
    """gx/great_expectations.yml, optionally with another suites folder; and that folder."""
    import yaml

    config = yaml.safe_load((gx_root / "great_expectations.yml").read_text(encoding="utf-8"))
    backend = config["stores"]["expectations_store"]["store_backend"]
    if expectations_dir is not None:
        backend["base_directory"] = str(expectations_dir.resolve())
    return config, (gx_root / backend["base_directory"]).resolve()


def _context(gx_root: Path, config: dict[str, Any]) -> Any:
    """The gx/ file context, never saving its yml (GX would write the run-time data source,
    with an absolute database path, into great_expectations.yml and drop its comments)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from great_expectations.data_context import FileDataContext, set_context

    class _ReadOnlyConfigContext(FileDataContext):
        def _save_project_config(self) -> None:
            pass

    context = _ReadOnlyConfigContext(project_config=config, context_root_dir=gx_root)
    # What gx.get_context() does after building one: suites and checkpoints look it up.
    set_context(context)
    return context


def _expected_count(suite_file: Path) -> int:
    if not suite_file.exists():
        raise GxRunError(f"{suite_file} does not exist: run `python -m analysis suites`")
    return len(json.loads(suite_file.read_text(encoding="utf-8"))["expectations"])


class SuiteRunner:
    """Set up once (context, data source, suite, checkpoint), then ``run()``; ``close()`` after.

    Split in two so that the benchmark can time the validation apart from the setup.
    """

    def __init__(self, db_path: Path, suite_name: str, batches: dict[str, str], *,
                 gx_root: Path = paths.GX_ROOT, expectations_dir: Path | None = None,
                 sample_limit: int = SAMPLE_LIMIT,
                 more_suites: dict[str, dict[str, str]] | None = None):
        # Registers the dialect before GX needs it.
        import analysis.validation.gx_duckdb as gx_duckdb

        started = time.perf_counter()
        import great_expectations as gx

        self.import_seconds = time.perf_counter() - started
        self.sample_limit = sample_limit
        self._assets: dict[str, str] = {}
        config, suites_dir = _load_config(gx_root, expectations_dir)
        # One checkpoint validates every (suite, batches) pair: asset names must be unique.
        plan = {suite_name: batches, **(more_suites or {})}
        wanted = {name: _expected_count(suites_dir / f"{name}.json") for name in plan}
        context = _context(gx_root, config)
        self._datasource = context.data_sources.add_sql(
            name=DATASOURCE,
            connection_string=gx_duckdb.url_for(db_path),
            kwargs={"connect_args": {"read_only": True}, "max_buffered_rows": MAX_BUFFERED_ROWS},
        )
        try:
            definitions = []
            for name, suite_batches in plan.items():
                definitions.extend(self._definitions(gx, context, name, wanted[name],
                                                     suite_batches))
            # COMPLETE: the sample rows (details.unexpected_rows) are only returned with it.
            self._checkpoint = context.checkpoints.add(gx.Checkpoint(
                name=suite_name, validation_definitions=definitions, actions=[],
                result_format={"result_format": "COMPLETE"},
            ))
        except BaseException:
            self.close()
            raise

    def _definitions(self, gx: Any, context: Any, suite_name: str, wanted: int,
                     batches: dict[str, str]) -> list[Any]:
        suite = context.suites.get(suite_name)
        if len(suite.expectations) != wanted:
            # GX logs and drops expectations it cannot build (unknown type, bad kwargs).
            raise GxRunError(
                f"GX loaded {len(suite.expectations)} of {wanted} expectations of suite "
                f"{suite_name!r}; see the GX log for the ones it dropped"
            )
        definitions = []
        for asset_name, relation in batches.items():
            schema, table = _split_relation(relation)
            with warnings.catch_warnings():
                # schema_name is deprecated for a schema set on the data source, but one
                # run may validate relations in several schemas; it still works in 1.24.
                warnings.filterwarnings("ignore", "`schema_name` is deprecated",
                                        DeprecationWarning)
                asset = self._datasource.add_table_asset(
                    name=asset_name, table_name=table, schema_name=schema
                )
            batch = asset.add_batch_definition_whole_table(f"{asset_name}_whole")
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{suite_name}__{asset_name}", data=batch,
                                        suite=suite)
            )
            self._assets[definition.id] = asset_name
            definitions.append(definition)
        return definitions

    def run(self) -> list[Outcome]:
        """Run the checkpoint; raise if GX could not evaluate a rule (it would say "failed")."""
        return self._outcomes(self._checkpoint.run())

    def _outcomes(self, result: CheckpointResult) -> list[Outcome]:
        outcomes = []
        for suite_result in result.run_results.values():
            asset = self._assets[suite_result.meta["validation_id"]]
            for item in suite_result.results:
                meta = item.expectation_config.meta or {}
                rule_id = meta.get("rule_id", item.expectation_config.id)
                info = item.exception_info or {}
                if _raised(info) or not item.result:
                    raise GxRunError(f"GX could not evaluate rule {rule_id!r} on {asset}: "
                                     f"{_exception_message(info)}")
                rows = (item.result.get("details") or {}).get("unexpected_rows") or []
                outcomes.append(Outcome(
                    asset=asset,
                    rule_id=rule_id,
                    severity=meta.get("severity", "error"),
                    success=bool(item.success),
                    unexpected_count=int(item.result["observed_value"]),
                    sample=tuple(
                        SampleRow(row.get("figure_id"), row.get("observed"), row.get("expected"))
                        for row in rows[: self.sample_limit]
                    ),
                ))
        return outcomes

    def close(self) -> None:
        """Dispose every engine GX made, so the DuckDB file can be reopened read-write."""
        datasource = getattr(self, "_datasource", None)
        if datasource is None:
            return
        engine = getattr(datasource, "_engine", None)
        if engine is not None:
            engine.dispose()
        execution_engine = getattr(datasource, "_execution_engine", None)
        if execution_engine is not None:
            execution_engine.close()
        self._datasource = None

    def __enter__(self) -> SuiteRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _raised(info: dict[str, Any]) -> bool:
    # GX reports an expectation it could not compute as merely unsuccessful.
    nested = (v for v in info.values() if isinstance(v, dict))
    return bool(info.get("raised_exception")) or any(v.get("raised_exception") for v in nested)


def _exception_message(info: dict[str, Any]) -> str:
    # Per-metric failures come as {metric id: {exception_message: ...}}; a whole-expectation
    # failure as {raised_exception, exception_message}.
    if info.get("exception_message"):
        return str(info["exception_message"])
    messages = [str(v.get("exception_message")) for v in info.values() if isinstance(v, dict)]
    return "; ".join(messages) or "no result"


def import_gx() -> None:
    """Import Great Expectations (and register the DuckDB dialect) ahead of a run."""
    import great_expectations  # noqa: F401

    import analysis.validation.gx_duckdb  # noqa: F401


def run_suite(db_path: Path, suite_name: str, batches: dict[str, str], *,
              gx_root: Path = paths.GX_ROOT, expectations_dir: Path | None = None,
              sample_limit: int = SAMPLE_LIMIT,
              more_suites: dict[str, dict[str, str]] | None = None) -> list[Outcome]:
    """Validate each batch (asset name → DuckDB table or view) against the suite, read-only.

    ``more_suites`` (suite name → batches) are validated in the same checkpoint, for rules
    written against other frames. Returns one Outcome per (asset, rule). Raises GxRunError if
    GX dropped a rule while loading a suite, or could not evaluate one.
    """
    with SuiteRunner(db_path, suite_name, batches, gx_root=gx_root,
                     expectations_dir=expectations_dir, sample_limit=sample_limit,
                     more_suites=more_suites) as runner:
        return runner.run()
