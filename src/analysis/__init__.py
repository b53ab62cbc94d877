"""Reference data package for Vietnam's Đề án 06."""

import sys

# jsonschema (imported by Altair, nbformat and Great Expectations) imports rfc3987_syntax
# when it is installed, only to check the "iri" string formats, which none of their schemas
# use; that import builds a grammar parser, about 1.4 s in every process. Marked unavailable
# here (jsonschema then skips just that format); site-packages is untouched, so this holds
# after any re-lock. A process that loaded it before importing `analysis` keeps it.
sys.modules.setdefault("rfc3987_syntax", None)


def connect(database=None):
    """A read-only DuckDB connection to the project's database, from any folder (a notebook
    anywhere in the lab, a script): `con = analysis.connect()`."""
    from analysis.report.queries import connect as _connect

    return _connect() if database is None else _connect(database)
