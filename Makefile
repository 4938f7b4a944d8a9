# The project's habits. `make test` and `make demo` work on a fresh machine: they create the
# virtual environment, build the Rust extension and install everything they need.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
export CARGO_TARGET_DIR ?= $(CURDIR)/target
# Two cores: keep cargo from starving pytest/maturin of memory on the CI machine.
export CARGO_BUILD_JOBS ?= 2

RUST_SOURCES := $(shell find crates -name '*.rs' -o -name 'Cargo.toml') Cargo.toml Cargo.lock pyproject.toml

.PHONY: all venv build test test-rust test-python demo lint fmt bench bench-soak clean

all: build

$(VENV)/.deps: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet "maturin>=1.7,<2"
	touch $@

venv: $(VENV)/.deps

# maturin develop: release build of the extension, installed editable into .venv together with
# the dependencies and extras declared in pyproject.toml (the one list of what the project needs).
$(VENV)/.built: $(VENV)/.deps $(RUST_SOURCES)
	$(VENV)/bin/maturin develop --release --quiet --extras test,bench,dev
	touch $@

build: $(VENV)/.built

test-rust:
	cargo test --workspace

test-python: build
	$(PY) -m pytest python/tests

test: build test-rust test-python

demo: build
	$(VENV)/bin/uw-nt demo

lint: venv
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --features python -- -D warnings
	$(VENV)/bin/ruff check nautilus_trader_uw python/tests scripts
	$(VENV)/bin/ruff format --check nautilus_trader_uw python/tests scripts

fmt: venv
	cargo fmt --all
	$(VENV)/bin/ruff format nautilus_trader_uw python/tests scripts
	$(VENV)/bin/ruff check --fix nautilus_trader_uw python/tests scripts

bench: build
	cargo bench -p unusual-whales-nt --bench parse -- --noplot
	$(PY) scripts/bench_decode.py
	$(PY) scripts/bench_e2e.py

bench-soak: build
	$(PY) scripts/bench_e2e.py --soak 600 --soak-rate 10000 --out bench-results/soak.json

clean:
	rm -rf $(VENV) target .pytest_cache .hypothesis
