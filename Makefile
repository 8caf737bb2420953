# astraweave: the two commands a fresh clone needs.
#   make demo   create .venv, install astraweave, run the main demo
#   make test   install the dev extra (and Debian packages when root), run every gate
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CONSTRAINTS := constraints.txt
DEMO_OUT := out/demo

.PHONY: demo test venv install install-dev system-deps lint format typecheck pytest bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

venv: $(PY)

install: $(PY)
	$(PIP) install --quiet -c $(CONSTRAINTS) -e .

install-dev: $(PY) system-deps
	$(PIP) install --quiet -c $(CONSTRAINTS) -e '.[dev]'

# Debian packages the suite needs (none beyond the base image yet); only attempted as root.
SYSTEM_PACKAGES :=
system-deps:
	@if [ -n "$(SYSTEM_PACKAGES)" ] && [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	fi

demo: install
	$(VENV)/bin/astraweave demo hello-companion --json $(DEMO_OUT)/outcome.json --png $(DEMO_OUT)/final.png

LINT_PATHS := $(wildcard src tests benchmarks examples)

lint:
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)

format:
	$(VENV)/bin/ruff format $(LINT_PATHS)
	$(VENV)/bin/ruff check --fix $(LINT_PATHS)

typecheck:
	$(VENV)/bin/mypy

pytest:
	$(PY) -m pytest --cov=astraweave --cov-report=term --cov-fail-under=85 -q

test: install-dev lint typecheck pytest

bench: install-dev
	$(VENV)/bin/astraweave bench all --json out/bench.json

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .coverage
