"""Command-line entry point: `python -m analysis <command>`.

Heavy packages (Great Expectations, nbconvert) are imported inside the commands that
need them, so `build` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import paths

if TYPE_CHECKING:
    from analysis.report.render import Renderer

GX_COMMANDS = {"validate", "all"}


def _build(args: argparse.Namespace) -> int:
    from analysis.warehouse.build import build

    build()
    return 0


def _validate(args: argparse.Namespace) -> int:
    from analysis.validation.validate import validate

    return validate()


def _render(args: argparse.Namespace, renderer: Renderer | None = None,
            validated: Callable[[], Awaitable[bool]] | None = None) -> int:
    from analysis.report.render import render_all

    if renderer is None:
        render_all()
        return 0
    if renderer.render(validated):
        return 0
    print("render: no page written, as validation failed", flush=True)
    return 1


def _export(args: argparse.Namespace) -> int:
    from analysis.publish.export import export

    export()
    return 0


def _suites(args: argparse.Namespace) -> int:
    from analysis.validation.suites import write_suites

    return write_suites(check=args.check)


def _draft(args: argparse.Namespace) -> int:
    from analysis.draft.draft import run

    return run(Path(args.text_file), args.source_id, args.locality, args.language,
               Path(args.out) if args.out else None,
               Path(args.skipped) if args.skipped else None, sys.stdout, sys.stderr)


def _all(args: argparse.Namespace) -> int:
    """build, then validation beside the pages that read only the build, then export beside
    the pages that read validation's results.

    Everything that needs nothing from the database starts first: the notebooks' kernels (a
    fork of a process that imported IPython, Altair and pandas, see analysis.report.render) and a
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
    try:
        with tempfile.TemporaryDirectory(dir=processed, prefix=".render-") as folder:
            copy = Path(folder) / paths.DATABASE.name
            with Renderer(build_copy=copy) as renderer:
                if status := _timed("build", _build, args):
                    return status
                copy_of_build(paths.DATABASE, copy)
                try:
                    validation.stdin.write("go\n")  # type: ignore[union-attr]
                    validation.stdin.flush()  # type: ignore[union-attr]
                except BrokenPipeError:  # it ended early: its verdict says why
                    pass
                _timed("render", lambda _: _render(args, renderer, validated), args)
    finally:
        if validation.poll() is None:  # the build failed, or render stopped: not needed
            validation.kill()
            validation.wait()
        if export is not None:
            print(export.communicate()[0], end="", flush=True)
    if validation.returncode:
        return validation.returncode
    return export.returncode if export is not None else 1


def _child_env() -> dict[str, str]:
    """This process's environment, with this source tree importable (no install needed)."""
    source_root = str(paths.SOURCE_ROOT)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [source_root, os.environ.get("PYTHONPATH")]))}


def _ready_to_validate() -> bool:
    """`validate --when-ready`: import what validation needs, then wait for one line on
    standard input: `go` validates; anything else, or the end of input, ends the process."""
    from analysis.validation.gx_run import import_gx

    import_gx()
    return sys.stdin.readline().strip() == "go"


def _timed(name: str, step: Callable[[argparse.Namespace], int],
           args: argparse.Namespace) -> int:
    """Run one step of `all`; say how long it took (benchmarks/make_all.py reads the line)."""
    started = time.perf_counter()
    status = step(args)
    if status == 0:
        print(f"{name}: done in {time.perf_counter() - started:.1f} s", flush=True)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="build data/processed/de_an_06.duckdb from data/raw")
    validate = commands.add_parser("validate", help="run the GX suites and write findings")
    validate.add_argument("--when-ready", action="store_true",
                          help="import everything first, then validate when a line `go` "
                          "arrives on standard input (used by `all`)")
    commands.add_parser("render", help="execute notebooks and render reports/*.html")
    suites = commands.add_parser("suites", help="regenerate expectations/*.json from rules.yml")
    suites.add_argument("--check", action="store_true", help="fail if the files are out of date")
    commands.add_parser("export", help="write the data package to data/processed/package/")
    commands.add_parser("all", help="build, validate, export and render")
    draft = commands.add_parser("draft", help="propose figures rows from a report's text")
    draft.add_argument("text_file", help="the report as plain UTF-8 text")
    draft.add_argument("--source-id", required=True, help="source id; figure ids start with it")
    draft.add_argument("--locality", required=True, help="the source's locality id")
    draft.add_argument("--language", required=True, choices=["vi", "en"],
                       help="the page's language (decides the number format)")
    draft.add_argument("--out", help="write the CSV here (default: standard output)")
    draft.add_argument("--skipped", help="write skipped non-quantities here as CSV "
                       "(default: standard error)")
    args = parser.parse_args(argv)
    handler = {"build": _build, "validate": _validate, "render": _render,
               "suites": _suites, "export": _export, "all": _all, "draft": _draft}[args.command]
    if getattr(args, "when_ready", False) and not _ready_to_validate():
        os._exit(0)  # told not to validate: nothing done (and no teardown, see below)
    started = time.perf_counter()
    status = _run(handler, args)
    if status == 0:
        # draft may write its CSV to standard output; keep that stream clean.
        print(f"{args.command}: done in {time.perf_counter() - started:.1f} s",
              file=sys.stderr if args.command == "draft" else sys.stdout)
    if args.command in GX_COMMANDS:
        # After Great Expectations has run, duckdb 2.0's bindings report its own module-level
        # type objects as "leaked" during interpreter teardown (dozens of alarming but
        # harmless lines), after a failure too. All work is done and the database is
        # closed, so skip teardown.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def _run(handler, args: argparse.Namespace) -> int:
    """Run a command; every failure the user can cause or meet becomes `error:` lines."""
    from analysis.errors import InputError, ProjectError, environment_message

    try:
        return handler(args)
    except InputError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{args.command}: {len(error.problems)} problem(s) in the raw files; nothing was "
              "changed", file=sys.stderr)
        return 2
    except ProjectError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        done = ("the steps that had finished keep their results, no file is half-written"
                if args.command == "all" else "nothing was changed")
        print(f"error: {args.command} interrupted; {done}", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - one clear line for the user, not a traceback
        message = environment_message(error)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 3
