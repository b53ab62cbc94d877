"""`python -m analysis all`: build, then validation beside the pages that read only the build,
then export beside the pages that read validation's results; only what is out of date."""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import paths

if TYPE_CHECKING:
    from analysis.fingerprints import StoredKeys
    from analysis.report.render import Renderer


def run_all(force: bool = False) -> int:
    """build, then validation beside the pages that read only the build, then export beside
    the pages that read validation's results; each only if out of date (or with `force`).

    What is out of date is decided first, from keys over each step's inputs
    (:mod:`analysis.fingerprints`): the database's content key is a function of data/raw and
    the code, so the keys the build and validation will store are known before they run, and
    with them which pages must be executed again (:mod:`analysis.report.page_cache`). When
    nothing changed, nothing runs.

    Everything that needs nothing from the database starts first: the kernels of the pages to
    execute and a validation process importing Great Expectations (several seconds), which
    then waits for the build. Once built, the database is copied for the pages that read only
    the build (DuckDB lets no process read a file another one writes) and validation starts on
    the database itself. Export and the other pages read validation's results: they start when
    it has passed, export in a process of its own. Every process's lines are printed together
    when it is done. If validation fails, nothing is exported or rendered.
    """
    import subprocess

    from analysis.fingerprints import StoredKeys, build_key, stored_keys, validation_key

    stored = stored_keys(paths.DATABASE)
    content = build_key(paths.RAW)
    expected = StoredKeys(content, validation_key(content), passed=True)
    needs_build = force or stored.build != content
    needs_validation = (needs_build or stored.validation != expected.validation
                        or not stored.passed or not paths.VALIDATION_REPORT.exists())
    needs_export = needs_validation or not _export_current(expected.validation)
    if not (needs_build or needs_validation or needs_export or force) \
            and not _pages_to_execute(expected):
        print("all: up to date (the database, its validation, the data package and every "
              "page were made from data/raw, the rules, the notebooks and the code as they "
              "are); --force to make them again", flush=True)
        return 0

    env = _child_env()
    validation: subprocess.Popen[str] | None = None
    if needs_validation:
        # First of all: its imports are the longest wait before validation can start.
        validation = subprocess.Popen(
            [sys.executable, "-m", "analysis", "validate", "--when-ready"], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    import asyncio
    import tempfile

    from analysis.report.render import Renderer
    from analysis.warehouse.build import copy_of_build

    export: subprocess.Popen[str] | None = None

    def start_export() -> None:
        nonlocal export
        if needs_export:
            export = subprocess.Popen([sys.executable, "-m", "analysis", "export"], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True)

    async def validated() -> bool:
        """Validation's verdict, once its lines are printed; export starts if it passed."""
        if validation is None:
            start_export()
            return True
        output, _ = await asyncio.get_running_loop().run_in_executor(
            None, validation.communicate)
        print(output, end="", flush=True)
        if validation.returncode == 0:
            start_export()
        return validation.returncode == 0

    processed = paths.DATABASE.parent
    processed.mkdir(parents=True, exist_ok=True)
    remove_render_leftovers(processed)
    try:
        with (tempfile.TemporaryDirectory(dir=processed, prefix=RENDER_FOLDER_PREFIX) as folder,
              _in_use(Path(folder))):
            copy = Path(folder) / paths.DATABASE.name
            # The pages that read only the build run on a copy while validation writes.
            with Renderer(build_copy=copy if validation else None, keys=expected,
                          force=force) as renderer:
                if not needs_build:
                    print("build: up to date", flush=True)
                elif status := _timed("build", _build):
                    return status
                if validation is not None:
                    if renderer.build_only:
                        copy_of_build(paths.DATABASE, copy)
                    try:
                        validation.stdin.write("go\n")  # type: ignore[union-attr]
                        validation.stdin.flush()  # type: ignore[union-attr]
                    except BrokenPipeError:  # it ended early: its verdict says why
                        pass
                else:
                    print("validate: up to date", flush=True)
                _timed("render", lambda: _render(renderer, validated))
    finally:
        if validation is not None and validation.poll() is None:
            validation.kill()  # the build failed, or render stopped: not needed
            validation.wait()
        if export is not None:
            print(export.communicate()[0], end="", flush=True)
            if export.returncode == 0:
                _record_export(expected.validation)
    if validation is not None and validation.returncode:
        return validation.returncode
    if not needs_export:
        print("export: up to date", flush=True)
        return 0
    return export.returncode if export is not None else 1


def _pages_to_execute(keys: StoredKeys) -> bool:
    """Whether any page is out of date, asked before importing what renders them."""
    from analysis.report import page_cache

    notebooks = page_cache.notebook_paths()
    return not notebooks or len(page_cache.kept(notebooks, keys, paths.REPORTS)) < len(notebooks)


# The package's descriptor: its state is recorded with the key the package was exported from,
# so that a package exported since by hand, or changed, is exported again.
DESCRIPTOR = paths.PACKAGE / "datapackage.json"


def _descriptor_state() -> list[int] | None:
    try:
        found = DESCRIPTOR.stat()
    except OSError:
        return None
    return [found.st_mtime_ns, found.st_size, found.st_ino]


def _export_current(key: str | None) -> bool:
    """Whether the package was exported by `all` from a database validated under `key`."""
    import json

    try:
        record = json.loads(paths.EXPORT_RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return key is not None and record == {"key": key, "descriptor": _descriptor_state()}


def _record_export(key: str | None) -> None:
    import json

    paths.EXPORT_RECORD.write_text(json.dumps({"key": key, "descriptor": _descriptor_state()}),
                             encoding="utf-8")


RENDER_FOLDER_PREFIX = ".render-"  # the build's copy for the pages, one folder per `all`
IN_USE = ".in-use"  # locked by the `all` using the folder (the kernel unlocks it at any exit)
LEFTOVER_AGE_S = 60.0  # a folder with no lock file yet is another `all` just starting


@contextmanager
def _in_use(folder: Path) -> Iterator[None]:
    with (folder / IN_USE).open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def remove_render_leftovers(processed: Path) -> list[Path]:
    """Remove the `.render-*` copies of interrupted runs of `all` (not those in use)."""
    removed = []
    for folder in processed.glob(RENDER_FOLDER_PREFIX + "*"):
        if not folder.is_dir():
            continue
        try:
            handle = (folder / IN_USE).open("r")
        except FileNotFoundError:
            if time.time() - folder.stat().st_mtime < LEFTOVER_AGE_S:
                continue
            handle = None
        try:
            if handle is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # another `all` is using it
                    continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            if handle is not None:
                handle.close()
    return removed


def _build() -> int:
    from analysis.warehouse.build import build

    build()
    return 0


def _render(renderer: Renderer, validated: Callable[[], Awaitable[bool]]) -> int:
    if renderer.render(validated):
        return 0
    print("render: no page written, as validation failed", flush=True)
    return 1


def _child_env() -> dict[str, str]:
    """This process's environment, with this source tree importable (no install needed)."""
    source_root = str(paths.SOURCE_ROOT)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [source_root, os.environ.get("PYTHONPATH")]))}


def ready_to_validate() -> bool:
    """`validate --when-ready`: import what validation needs, then wait for one line on
    standard input: `go` validates; anything else, or the end of input, ends the process."""
    from analysis.validation.gx_run import import_gx

    import_gx()
    return sys.stdin.readline().strip() == "go"


def _timed(name: str, step: Callable[[], int]) -> int:
    """Run one step of `all`; say how long it took (benchmarks/make_all.py reads the line)."""
    started = time.perf_counter()
    status = step()
    if status == 0:
        print(f"{name}: done in {time.perf_counter() - started:.1f} s", flush=True)
    return status
