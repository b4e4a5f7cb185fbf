# Self-documenting: `make` or `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install figures test lab bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23.1"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

install: $(STAMP) ## create .venv and install the project with its test tools

figures: $(STAMP) ## run every notebook headless in one process and regenerate figures/
	$(BIN)/python -m analysis.runner

test: $(STAMP) ## run the whole test suite, executing every notebook too
	$(BIN)/python -m pytest

# Jupyter refuses to run as root without --allow-root (containers and CI run as root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP) ## open JupyterLab on notebooks/ with the project's environment as kernel
	$(BIN)/python -m jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT)

bench: $(STAMP) ## segmentation benchmark at 1, 5 and 20 MB (prints a table; about 10 minutes)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python bench/bench_segmentation.py
	$(BIN)/python bench/segmenter_accuracy.py

clean: ## remove caches and executed notebooks (keeps .venv and figures/)
	rm -rf build .cache .pytest_cache .hypothesis
