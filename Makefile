# astraweave: the two commands a fresh clone needs.
#   make demo   create .venv, install astraweave, run the main demo
#   make test   install the dev extra (and Debian packages when root), run every gate
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CONSTRAINTS := constraints.txt
DEMO_OUT := out/demo

.PHONY: demo test eval-gate venv install install-dev install-llm-local eval-llm system-deps lint format typecheck pytest bench clean

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

# The embedded LLM (optional): llama-cpp-python compiles for ~5 minutes on 2 cores, so the
# wheel is built once into .cache/wheels. It is built portable: -march=native would enable
# this Xeon's AMX int8 kernels, which crash in the first decode.
WHEELS := .cache/wheels
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF

$(WHEELS)/.llama: | $(PY)
	mkdir -p $(WHEELS)
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(PIP) wheel --no-deps llama-cpp-python==0.3.36 -w $(WHEELS)
	touch $@

install-llm-local: install-dev $(WHEELS)/.llama
	$(PIP) install --quiet -c $(CONSTRAINTS) --find-links $(WHEELS) -e '.[dev,llm-local]'

eval-llm: install-llm-local
	$(VENV)/bin/astraweave demo hello-companion --planner llm --llm local --ticks 240
	$(VENV)/bin/astraweave eval --planner llm --llm local --category combat --category irrelevance \
		--seeds 1 --workers 1 --json out/eval-llm.json --md out/eval-llm.md
	$(PY) -m pytest tests/llm -q

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

# The evaluation gate: every built-in planner proposes only plans the sandbox accepts
# (validity 100%) on all evaluation scenarios, and GOAP's overall score stays above its
# floor of 90 (docs/evaluation.md).
GOAP_MIN ?= 90
eval-gate:
	$(VENV)/bin/astraweave eval --planner rule --planner goap --planner utility --planner bt \
		--seeds 1 --workers 2 --min-validity 1.0 --min-score goap=$(GOAP_MIN) --json out/eval-gate.json

test: install-dev lint typecheck pytest eval-gate

bench: install-dev
	$(VENV)/bin/astraweave bench all --json out/bench.json

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .coverage
