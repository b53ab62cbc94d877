# Two commands do everything on a fresh machine with Python 3.11 and pip:
#   make all    create .venv, install pinned dependencies, build DuckDB, validate, export, render HTML
#   make test   run the test suite (builds first if needed)
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DB := data/processed/de_an_06.duckdb
# Compiled bytecode makes `import great_expectations` ~3x faster; the sandbox disables it by default.
unexport PYTHONDONTWRITEBYTECODE
export GX_ANALYTICS_ENABLED := false
# uv ships its own CA roots; registries reached through a proxy with a local CA need the
# platform's certificate store (pip already uses it).
export UV_SYSTEM_CERTS := true

RAW := $(shell find data/raw -type f 2>/dev/null) $(shell find src/analysis -name '*.py' -o -name '*.sql' 2>/dev/null)

.PHONY: help install all build validate export render test lab lint bench lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON_BOOT) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	@echo "install: creating $(VENV) and installing the pinned packages (about a minute on a cold cache)"
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	test -x $(VENV)/bin/uv || $(PY) -m pip install -q "uv==$$(sed -n 's/^uv==//p' requirements.lock)"
	# --compile-bytecode: the first run after an install is as fast as the second.
	$(VENV)/bin/uv pip sync -q --compile-bytecode --python $(PY) requirements.lock
	$(VENV)/bin/uv pip install -q --python $(PY) --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (de-an-06)" >/dev/null
	$(PY) -m analysis.lab install >/dev/null
	@echo "install: done ($(VENV))"
	touch $@

install: $(STAMP) ## create .venv and install the pinned dependencies

all: $(STAMP) ## build everything: DuckDB, validation, data package, rendered HTML
	$(PY) -m analysis all

build: $(STAMP) ## build data/processed/de_an_06.duckdb from data/raw
	$(PY) -m analysis build

validate: $(STAMP) ## run the Great Expectations suites; fails on unexplained findings
	$(PY) -m analysis validate

export: $(STAMP) ## write the data package (CSV, Parquet, xlsx, datapackage.json) to data/package/
	$(PY) -m analysis export

render: $(STAMP) ## execute the notebooks and render them to reports/*.html
	$(PY) -m analysis render

test: all ## run the tests (after building everything)
	$(PY) -m pytest -q

lab: $(STAMP) ## start JupyterLab at the repository's root on the built database
	@test -f $(DB) || $(PY) -m analysis build
	@$(PY) -m analysis.lab install >/dev/null
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) $(if $(filter 0,$(shell id -u)),--allow-root)

lint: $(STAMP) ## ruff on code and paired notebook scripts
	$(VENV)/bin/ruff check src tests notebooks benchmarks

bench: $(STAMP) ## time the pipeline at 10 k-1 M figures, then the validation baselines
	$(PY) benchmarks/pipeline.py
	$(PY) benchmarks/validate_scale.py

lock: ## re-resolve requirements.in into requirements.lock
	$(VENV)/bin/uv pip compile requirements.in --python-version 3.11 --no-header -q -o requirements.lock

clean: ## remove built outputs (keeps .venv and the committed data/package/)
	rm -rf data/processed/*.duckdb data/processed/*.duckdb.* data/processed/*.tmp* data/processed/.render-* data/processed/package data/.package.* reports/*.html reports/assets reports/validation.json reports/validation.junit.xml
