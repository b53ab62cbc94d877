"""The R recipe of docs/using-the-data.md, run as printed with Debian's R (readr, jsonlite)
on the committed package: every CSV column typed from datapackage.json, no parsing problem."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess

import pytest

from analysis import paths


def test_the_r_recipe_reads_the_committed_csv_files_typed_with_no_problems():
    rscript = shutil.which("Rscript")
    if rscript is None or subprocess.run(
            [rscript, "-e", "library(readr); library(jsonlite)"], capture_output=True,
            check=False).returncode != 0:
        pytest.skip("R with readr and jsonlite is not installed (Debian: r-cran-readr, "
                    "r-cran-jsonlite)")
    page = (paths.DOCS / "using-the-data.md").read_text(encoding="utf-8")
    (recipe,) = re.findall(r"```r\n(.*?)```", page, re.S)
    check = recipe + """
stopifnot(nrow(problems(figures)) == 0)
for (resource in package$resources) {
  if (is.null(resource$schema)) next
  table <- read_view(resource$name)
  stopifnot(nrow(problems(table)) == 0)
  cat(resource$name, nrow(table), "\\n")
}
"""
    result = subprocess.run([rscript, "-e", check], cwd=paths.ROOT, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    counts = dict(line.split()[:2] for line in result.stdout.splitlines()
                  if re.match(r"^\w+ \d+ ", line))
    descriptor = json.loads((paths.PACKAGE / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if "schema" in resource:
            with (paths.PACKAGE / resource["path"]).open(encoding="utf-8", newline="") as file:
                assert int(counts[resource["name"]]) == sum(1 for _ in csv.reader(file)) - 1
