# Self-documenting: `make` or `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Notebook parameters for `make figures` and `make report`, e.g.
#   make figures CORPUS_DIR=~/speeches FIGURES_DIR=/tmp/figs
# Unset, the notebooks' own defaults hold (seeds/ and figures/). Relative paths are taken
# from this folder, not from notebooks/ where the kernels run.
CORPUS_DIR ?=
FIGURES_DIR ?=
# BAD_FILES=warn: a file that cannot be read is named and left out instead of stopping the run.
BAD_FILES ?=
# Where `make export` writes the cited tables (CSV and XLSX).
EXPORT_DIR ?= build/export
NB_PARAMS := $(if $(CORPUS_DIR),--param CORPUS_DIR=$(abspath $(CORPUS_DIR))) \
             $(if $(FIGURES_DIR),--param FIGURES_DIR=$(abspath $(FIGURES_DIR))) \
             $(if $(BAD_FILES),--param BAD_FILES=$(BAD_FILES))
# Tests `make test-fast` leaves out (browser, notebook runs, lab server): see pyproject.toml.
FAST := -m "not slow"
UV := uv>=0.9,<1
# `make lock` keeps the pins it can; LOCK_ARGS=--upgrade (or --upgrade-package NAME) moves them.
LOCK_ARGS ?=

.PHONY: help install lock figures report export reference test test-fast lint lab bench bench-figures clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-13s %s\n", $$1, $$2}'

# The exact versions of requirements.lock (hash-checked), then the project itself without
# resolving anything again: every machine gets the same libraries, hence the same figures.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23.1"
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

install: $(STAMP) ## create .venv and install the locked dependencies and the project

lock: ## regenerate requirements.lock from pyproject.toml (all extras, every platform; needs PyPI)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "$(UV)"
	$(BIN)/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
		--generate-hashes --quiet --output-file $(LOCK) $(LOCK_ARGS)

figures: $(STAMP) ## run every notebook headless with papermill (in parallel) and regenerate figures/ [CORPUS_DIR=… FIGURES_DIR=… BAD_FILES=warn TIMEOUT=seconds per cell, default 600]
	$(BIN)/python -m analysis.output.runner $(NB_PARAMS) $(if $(TIMEOUT),--timeout $(TIMEOUT))

export: $(STAMP) ## write the tables a researcher cites (kwic, formulas, campaigns, keyness, term counts…) as CSV and XLSX with passage ids: make export [CORPUS_DIR=…] [EXPORT_DIR=build/export]
	$(BIN)/python -m analysis.output.export --out $(abspath $(EXPORT_DIR)) $(if $(CORPUS_DIR),--corpus-dir $(abspath $(CORPUS_DIR)))

reference: $(STAMP) ## rebuild the shipped government-work-report counts: make reference CORPUS_DIR=../shared/corpora/government-work-reports
	@test -n "$(CORPUS_DIR)" || (echo "make reference needs CORPUS_DIR=<folder of the reports with metadata.csv>"; exit 2)
	$(BIN)/python -c 'import sys; from analysis.measures.reference import main; sys.exit(main(sys.argv[1:]))' build $(abspath $(CORPUS_DIR))

report: figures ## run the notebooks, then render them as HTML: build/report/index.html
	$(BIN)/python -m analysis.output.report

test: $(STAMP) ## run the whole test suite: doctests, notebooks, report and JupyterLab in Chromium
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## the tests not marked slow (no real notebook run, no server, no browser): about 2 minutes
	$(BIN)/python -m pytest $(FAST)

lint: $(STAMP) ## ruff on the package, the tests and the benchmarks
	$(BIN)/ruff check analysis tests bench

# Jupyter refuses to run as root without --allow-root (containers and CI run as root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP) ## open JupyterLab on notebooks/ with the project's environment as kernel
	$(BIN)/python -m jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT)

bench: $(STAMP) ## benchmarks: scale (1-100 MB cold and warm against jieba.lcut, one 50 MB file, notebooks on 72, 1,000 and 5,000 speeches), segmenter accuracy, warm make figures, text reuse, a warm load from an S3 URL against a folder (the scale part alone took 27 minutes on 6 December; its 5,000-speech notebook case runs six notebooks, without text reuse)
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/segmenter_accuracy.py
	$(BIN)/python bench/bench_figures.py
	$(BIN)/python bench/bench_reuse.py
	$(BIN)/python bench/bench_remote.py

bench-figures: $(STAMP) ## only the warm `make figures` case against its floor (about 2 minutes)
	$(BIN)/python bench/bench_figures.py

clean: ## remove caches, executed notebooks and the report (keeps .venv and figures/)
	rm -rf build .cache .pytest_cache .hypothesis
