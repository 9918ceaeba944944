# The two quick-start commands: `make dev` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: install home dev dg-dev demo test lint bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

# A DAGSTER_HOME holding the repo's dagster.yaml (NUX popup and telemetry off).
home:
	mkdir -p "$(DAGSTER_HOME)"
	cp dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"

# Set up, play 14 demo days (first time only) and start the UI on 127.0.0.1:3000.
dev: install home
	$(BIN)/drift-assets demo run --days 14 --if-new
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

# The same with dg (installed by `install`): the same DAGSTER_HOME, so the same history.
dg-dev: install home
	$(BIN)/drift-assets demo run --days 14 --if-new
	$(BIN)/dg dev -h 127.0.0.1 -p 3000

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
