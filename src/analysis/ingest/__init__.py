"""Stage 1, ingest: read and check the hand-kept raw layer (data/raw) before anything is built.

Every problem names the file, the line, the column and the text; nothing here writes to
data/raw. One job per module:

- contract: each raw file's columns, required columns, allowed values
- tables: the strict CSV reader (one file in, its columns as text out)
- registers: checks of the registers against each other (check_registers)
- figures: the figures files and the checks on each figure row
- quantities: the printed numbers parsed with each source's format (numbers: the parser)
- errata: the errata register, one file per source (errata_split: the migration from one file)
- load: load_raw, which runs them all in order
- admin_units: lookups in the administrative-unit libraries behind the locality register
  (admin_unit_libraries: reading the libraries into tables)

Callers import from here; the names below are the stage's interface.
"""

from analysis.ingest.contract import (
    ALLOWED,
    COLUMNS,
    ID_PATTERNS,
    MAX_PHRASE_WORDS,
    NUMBER_FIELDS,
)
from analysis.ingest.load import RawData, load_raw
from analysis.ingest.registers import fold_tone_placement, locality_key
from analysis.ingest.tables import Table, read_table

__all__ = [
    "ALLOWED",
    "COLUMNS",
    "ID_PATTERNS",
    "MAX_PHRASE_WORDS",
    "NUMBER_FIELDS",
    "RawData",
    "Table",
    "fold_tone_placement",
    "load_raw",
    "locality_key",
    "read_table",
]
