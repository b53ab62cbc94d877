"""The raw layer replicated 1,000 times (660 k figures, 11,000 errata in 8,000 per-source
files) builds and validates with the same verdicts as the original, 1,000 times over.

Marked `scale` (a few minutes on the 2-core machine): CI runs it with the rest;
`pytest -m "not scale"` leaves it out of a quick local run.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from editing import read_errata
from generator import replicate

from analysis import paths
from analysis.validation.validate import validate
from analysis.warehouse.build import build

# DE_AN_06_REPLICAS: fewer copies for a quick look at a change (the test is for 1,000).
COPIES = int(os.environ.get("DE_AN_06_REPLICAS", "1000"))
COPY_SUFFIX = re.compile(r"-r[0-9]+(?=\.|$)")  # `-r<k>` after a source or erratum id


def _verdicts(database: Path) -> tuple[Counter, Counter]:
    """Failing (layer, rule, figure, erratum) with the copies' suffixes removed, and the
    summary's failed, explained and unexplained counts per (layer, severity)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        findings = Counter(
            (layer, rule, COPY_SUFFIX.sub("", figure_id), COPY_SUFFIX.sub("", erratum or ""))
            for layer, rule, figure_id, erratum in con.execute(
                "SELECT layer, rule, figure_id, erratum_id FROM findings WHERE NOT passed"
            ).fetchall())
        summary = Counter()
        for layer, severity, failed, explained, unexplained in con.execute(
                "SELECT layer, severity, sum(failed), sum(explained), sum(unexplained) "
                "FROM validation_summary GROUP BY ALL").fetchall():
            summary[(layer, severity, "failed")] = int(failed)
            summary[(layer, severity, "explained")] = int(explained)
            summary[(layer, severity, "unexplained")] = int(unexplained)
        return findings, summary
    finally:
        con.close()


@pytest.mark.scale
def test_a_thousand_copies_of_the_raw_layer_give_the_same_verdicts(tmp_path):
    original = build(tmp_path / "original.duckdb", quiet=True)
    original_status = validate(database=original, report=None)

    raw = tmp_path / "raw"
    counts = replicate(paths.RAW, COPIES, raw)
    assert counts["errata"] == COPIES * len(read_errata(paths.RAW))
    assert len(list((raw / "errata").glob("*.yml"))) == COPIES * len(list(paths.ERRATA.iterdir()))
    replicated = build(tmp_path / "replicated.duckdb", raw_dir=raw, quiet=True)
    replicated_status = validate(database=replicated, report=None)

    assert replicated_status == original_status == 0
    findings, summary = _verdicts(original)
    copied_findings, copied_summary = _verdicts(replicated)
    assert copied_findings == Counter({key: COPIES * n for key, n in findings.items()})
    assert copied_summary == Counter({key: COPIES * n for key, n in summary.items()})
