"""`python -m analysis all`: build, then validation beside the pages that read only the build,
then export beside the pages that read validation's results."""

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
    from analysis.report.render import Renderer


def run_all() -> int:
    """build, then validation beside the pages that read only the build, then export beside
    the pages that read validation's results.

    Everything that needs nothing from the database starts first: the notebooks' kernels and a
    validation process importing Great Expectations (several seconds), which then waits for
    the build. Once built, the database is copied for the pages that read only the build
    (DuckDB lets no process read a file another one writes) and validation starts on the
    database itself. Export and the other pages read validation's results: they start when it
    has passed, export in a process of its own. Every process's lines are printed together
    when it is done. If validation fails, nothing is exported or rendered.
    """
    import subprocess

    env = _child_env()
    # First of all: its imports are the longest wait before validation can start.
    validation = subprocess.Popen(
        [sys.executable, "-m", "analysis", "validate", "--when-ready"], env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    import asyncio
    import tempfile

    from analysis.report.render import Renderer
    from analysis.warehouse.build import copy_of_build

    export: subprocess.Popen[str] | None = None

    async def validated() -> bool:
        """Validation's verdict, once its lines are printed; export starts if it passed."""
        nonlocal export
        output, _ = await asyncio.get_running_loop().run_in_executor(
            None, validation.communicate)
        print(output, end="", flush=True)
        if validation.returncode == 0:
            export = subprocess.Popen([sys.executable, "-m", "analysis", "export"], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True)
        return validation.returncode == 0

    processed = paths.DATABASE.parent
    processed.mkdir(parents=True, exist_ok=True)
    remove_render_leftovers(processed)
    try:
        with (tempfile.TemporaryDirectory(dir=processed, prefix=RENDER_FOLDER_PREFIX) as folder,
              _in_use(Path(folder))):
            copy = Path(folder) / paths.DATABASE.name
            with Renderer(build_copy=copy) as renderer:
                if status := _timed("build", _build):
                    return status
                copy_of_build(paths.DATABASE, copy)
                try:
                    validation.stdin.write("go\n")  # type: ignore[union-attr]
                    validation.stdin.flush()  # type: ignore[union-attr]
                except BrokenPipeError:  # it ended early: its verdict says why
                    pass
                _timed("render", lambda: _render(renderer, validated))
    finally:
        if validation.poll() is None:  # the build failed, or render stopped: not needed
            validation.kill()
            validation.wait()
        if export is not None:
            print(export.communicate()[0], end="", flush=True)
    if validation.returncode:
        return validation.returncode
    return export.returncode if export is not None else 1


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
