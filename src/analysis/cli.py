"""Build, validate, export and render the Đề án 06 data package; draft figures from a text.

`python -m analysis all` does everything: build the database from data/raw, validate it,
write the data package (data/package/) and render the pages (reports/). Each step can also
run alone, in that order.
"""
# Heavy packages (Great Expectations, nbconvert) are imported inside the commands that need
# them, so that `build` and `--help` stay fast.


from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

EPILOG = """\
files:
  data/raw/                          what you edit: sources, figures, errata (see docs/)
  data/processed/de_an_06.duckdb     the database (`build`); validation's findings inside
  data/package/                      CSV, Parquet, workbook, datapackage.json (`export`)
  reports/                           the pages, validation.html/.json/.junit.xml

exit status: 0 done; 1 validation failed; 2 bad input or a refused step (one `error:`
line each, naming file, line and field); 3 the machine (disk, permissions); 130 interrupted.
"""

GX_COMMANDS = {"validate", "all"}


UP_TO_DATE = "{command}: up to date ({what}); --force to {redo}"


def _build(args: argparse.Namespace) -> int:
    from analysis import paths
    from analysis.warehouse.build import build, up_to_date

    if not args.force and up_to_date():
        print(UP_TO_DATE.format(command="build", redo="build it again",
                                what=f"{paths.shown(paths.DATABASE)} was built from data/raw "
                                "and the code as they are"))
        return 0
    build()
    return 0


def _validate(args: argparse.Namespace) -> int:
    from analysis.validation.validate import up_to_date, validate

    if not args.force and not args.when_ready and up_to_date():
        print(UP_TO_DATE.format(command="validate", redo="validate again",
                                what="the database and the rules are as when it passed"))
        return 0
    return validate()


def _render(args: argparse.Namespace) -> int:
    from analysis.report.render import render_all

    render_all(force=args.force)
    return 0


def _export(args: argparse.Namespace) -> int:
    from analysis.publish.export import export

    export(unvalidated=args.unvalidated)
    return 0


def _suites(args: argparse.Namespace) -> int:
    from analysis.validation.suites import write_suites

    return write_suites(check=args.check)


def _draft(args: argparse.Namespace) -> int:
    from analysis.draft.draft import run

    return run(Path(args.text_file), args.source_id, args.locality, args.language,
               Path(args.out) if args.out else None,
               Path(args.skipped) if args.skipped else None, sys.stdout, sys.stderr)


def _errata_split(args: argparse.Namespace) -> int:
    from analysis.ingest.errata_split import split_errata

    split_errata()
    return 0


def _all(args: argparse.Namespace) -> int:
    from analysis.pipeline import run_all

    return run_all(force=args.force)


def _ready_to_validate() -> bool:
    from analysis.pipeline import ready_to_validate

    return ready_to_validate()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__,
                                     epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    force = argparse.ArgumentParser(add_help=False)
    force.add_argument("--force", action="store_true",
                       help="run even if the output is up to date with its inputs")
    commands.add_parser("build", parents=[force],
                        help="build data/processed/de_an_06.duckdb from data/raw; "
                        "the previous database stays if anything is wrong")
    validate = commands.add_parser(
        "validate", parents=[force],
        help="check the figures' arithmetic; fails on an error the errata do not "
        "explain; writes reports/validation.html, .json and .junit.xml")
    validate.add_argument("--when-ready", action="store_true",
                          help="import everything first, then validate when a line `go` "
                          "arrives on standard input (used by `all`)")
    commands.add_parser("render", parents=[force],
                        help="run the notebooks and write the pages, reports/*.html "
                        "(those out of date)")
    suites = commands.add_parser("suites", help="regenerate expectations/*.json from "
                                 "expectations/rules.yml")
    suites.add_argument("--check", action="store_true", help="fail if the files are out of date")
    export = commands.add_parser("export", help="write the data package to data/package/ "
                                 "(only from a validated database)")
    export.add_argument("--unvalidated", action="store_true",
                        help="export a database that was not validated or failed; "
                        "datapackage.json then says \"not validated\"")
    commands.add_parser("all", parents=[force],
                        help="build, validate, export and render what is out of date "
                        "(what `make all` runs)")
    commands.add_parser("errata-split", help="move a single data/raw/errata.yml into one "
                        "file per source, data/raw/errata/<source_id>.yml")
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
               "suites": _suites, "export": _export, "all": _all, "draft": _draft,
               "errata-split": _errata_split}[args.command]
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
