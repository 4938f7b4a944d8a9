# The project's habits. `make test` and `make demo` work on a fresh machine: they create the
# virtual environments, build the Rust extension and install everything they need.
#
# Two NautilusTrader legs are supported and tested:
#   newest (the default everywhere): Python 3.12/3.13 + nautilus_trader $(NT_VERSION), in .venv
#   legacy (the last for Python 3.11):  Python 3.11   + nautilus_trader $(NT_LEGACY_VERSION), in .venv-legacy
# One abi3 wheel, built once, is installed into both.

SHELL := /bin/bash
comma := ,
.SHELLFLAGS := -eu -o pipefail -c

NT_VERSION ?= 1.231.0
NT_LEGACY_VERSION ?= 1.221.0

# The interpreter that really runs (pyenv installs shims that exist but refuse to run): `PYTHON=...`
# if given, else the first of the candidates on PATH, else pyenv's installed versions.
find_python = $(shell \
	for c in $(1); do \
		p=$$(command -v $$c 2>/dev/null) && "$$p" -c 'import sys' >/dev/null 2>&1 && \
			{ "$$p" -c 'import sys; print(sys.executable)'; exit 0; }; \
	done; \
	root=$$(pyenv root 2>/dev/null) || exit 0; \
	for c in $(1); do \
		for p in "$$root"/versions/*/bin/$$c; do \
			[ -x "$$p" ] && "$$p" -c 'import sys' >/dev/null 2>&1 && { echo "$$p"; exit 0; }; \
		done; \
	done)

PYTHON ?= $(call find_python,python3.13 python3.12)
PYTHON_LEGACY ?= $(call find_python,python3.11)

VENV := .venv
VENV_LEGACY := .venv-legacy
PY := $(VENV)/bin/python
PY_LEGACY := $(VENV_LEGACY)/bin/python
WHEELS := target/wheels
EXTRAS := test,bench,dev,examples

export CARGO_TARGET_DIR ?= $(CURDIR)/target
# Two cores: keep cargo from starving pytest/maturin of memory on the CI machine.
export CARGO_BUILD_JOBS ?= 2
# Quiet pip, no version nag; progress goes to the log lines below instead.
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The parser-choice bench is no part of the wheel.
RUST_SOURCES := $(shell find crates -path crates/bench_parsers -prune -o \( -name '*.rs' -o -name 'Cargo.toml' \) -print) Cargo.toml Cargo.lock
PY_SOURCES := $(shell find nautilus_trader_uw -type f -not -name '*.so' -not -path '*/__pycache__/*') pyproject.toml README.md

.PHONY: all venv build dist test test-rust test-python test-newest test-legacy demo lint fmt bench bench-legacy bench-soak fault-soak clean

# pytest workers per leg: the integration tests mostly wait on nodes and sockets, not the CPU.
PYTEST_WORKERS ?= 4

# Runs a step silently, its output kept in a log that is shown only when the step fails.
define quietly
	@log=$$(mktemp); if ! ( $(1) ) >"$$log" 2>&1; then cat "$$log" >&2; rm -f "$$log"; \
		echo "error: step failed: $(strip $(2))" >&2; exit 1; fi; rm -f "$$log"
endef

all: build

define need_python
	@if [ -z "$(1)" ]; then \
		echo "error: $(2) not found (looked for $(3) on PATH and under pyenv)." >&2; \
		echo "  Install one (for example: pyenv install $(4)), or point to it: make $@ $(5)=/path/to/python" >&2; \
		exit 2; \
	fi
endef

# A leg's virtual environment with pip and maturin; remade when its interpreter changes.
$(VENV)/.deps:
	$(call need_python,$(PYTHON),Python 3.12 or 3.13 (for nautilus_trader $(NT_VERSION)),python3.13/python3.12,3.13,PYTHON)
	@echo "==> $(VENV): $$($(PYTHON) --version) for nautilus_trader $(NT_VERSION)"
	$(call quietly,$(PYTHON) -m venv $(VENV) && $(PY) -m pip install --upgrade pip "maturin>=1.7$(comma)<2",creating $(VENV))
	@touch $@

$(VENV_LEGACY)/.deps:
	$(call need_python,$(PYTHON_LEGACY),Python 3.11 (for nautilus_trader $(NT_LEGACY_VERSION)),python3.11,3.11,PYTHON_LEGACY)
	@echo "==> $(VENV_LEGACY): $$($(PYTHON_LEGACY) --version) for nautilus_trader $(NT_LEGACY_VERSION)"
	$(call quietly,$(PYTHON_LEGACY) -m venv $(VENV_LEGACY) && $(PY_LEGACY) -m pip install --upgrade pip,creating $(VENV_LEGACY))
	@touch $@

venv: $(VENV)/.deps

# The release build of the extension, once: an abi3 wheel every leg installs.
$(WHEELS)/.built: $(VENV)/.deps $(RUST_SOURCES) $(PY_SOURCES)
	@echo "==> building the wheel (release, a few minutes on a fresh machine)"
	@rm -rf $(WHEELS)
	$(call quietly,$(VENV)/bin/maturin build --release --out $(WHEELS) --interpreter $(PY),maturin build)
	@touch $@

# Install the wheel with its declared extras, the leg's NautilusTrader pinned.
define install_leg
	@echo "==> installing into $(1) (nautilus_trader $(2))"
	$(call quietly,$(1)/bin/python -m pip install --force-reinstall --no-deps $(WHEELS)/*.whl && \
		$(1)/bin/python -m pip install "$$(ls $(WHEELS)/*.whl)[$(EXTRAS)]" "nautilus_trader[ib]==$(2)",installing into $(1))
	@touch $(1)/.installed
endef

$(VENV)/.installed: $(VENV)/.deps $(WHEELS)/.built
	$(call install_leg,$(VENV),$(NT_VERSION))

$(VENV_LEGACY)/.installed: $(VENV_LEGACY)/.deps $(WHEELS)/.built
	$(call install_leg,$(VENV_LEGACY),$(NT_LEGACY_VERSION))

build: $(VENV)/.installed

# The Rust tests once, on the wheel build's dependencies (same profile, same features); quiet
# unless a test fails, then a summary line.
test-rust:
	@echo "==> cargo test (release)"
	@log=$$(mktemp); if ! cargo test --workspace --release >"$$log" 2>&1; then cat "$$log" >&2; rm -f "$$log"; exit 1; fi; \
		awk '/^test result:/ {p += $$4; f += $$6; i += $$8} END {printf "    %d passed, %d failed, %d ignored\n", p, f, i}' "$$log"; \
		rm -f "$$log"

# pytest from python/ so that the source tree never shadows the installed package.
define pytest_leg
	@echo "==> pytest on $$($(1) -c 'import platform, nautilus_trader as n; print("Python", platform.python_version(), "+ nautilus_trader", n.__version__)')"
	cd python && $(CURDIR)/$(1) -m pytest tests -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
endef

test-newest: $(VENV)/.installed
	$(call pytest_leg,$(PY))

test-legacy: $(VENV_LEGACY)/.installed
	$(call pytest_leg,$(PY_LEGACY))

test-python: test-newest test-legacy

test: build test-rust test-newest test-legacy

# The published artefacts: the abi3 wheel (whole-program LTO) and the sdist, checked by twine.
dist: $(VENV)/.installed
	@echo "==> building dist/ (wheel with the dist-release profile, and the sdist)"
	@rm -rf dist
	$(call quietly,$(VENV)/bin/maturin build --profile dist-release --out dist --interpreter $(PY) && \
		$(VENV)/bin/maturin sdist --out dist,maturin build --profile dist-release)
	$(VENV)/bin/twine check --strict dist/*
	@ls -l dist

demo: build
	$(VENV)/bin/uw-nt demo

lint: build
	cargo fmt --all -- --check
	cargo fmt --manifest-path $(PARSER_CHOICE) -- --check
	cargo clippy --workspace --all-targets --features python --release -- -D warnings
	cargo clippy --manifest-path $(PARSER_CHOICE) --benches --release -- -D warnings
	$(VENV)/bin/ruff check nautilus_trader_uw python/tests scripts examples
	$(VENV)/bin/ruff format --check nautilus_trader_uw python/tests scripts examples

fmt: build
	cargo fmt --all
	cargo fmt --manifest-path $(PARSER_CHOICE)
	$(VENV)/bin/ruff format nautilus_trader_uw python/tests scripts examples
	$(VENV)/bin/ruff check --fix nautilus_trader_uw python/tests scripts examples

# The JSON parsers the adapter could decode with, timed against its own: a workspace of its own,
# so that `cargo test` never builds them.
PARSER_CHOICE := crates/bench_parsers/Cargo.toml

# Benchmarks on the newest leg (the default); `make bench-legacy` repeats the Python ones on 1.221.
bench: build
	cargo bench -p unusual-whales-nt --bench parse -- --noplot
	@echo "==> the live path again, built as the published wheel is (dist-release: fat LTO, one codegen unit)"
	cargo bench -p unusual-whales-nt --bench parse --profile dist-release -- --noplot live_path
	@echo "==> the record decode with each JSON parser that has a serde path, against the adapter's lexer"
	cargo bench --manifest-path $(PARSER_CHOICE) --bench parsers -- --noplot
	cargo bench -p unusual-whales-nt --bench flow_bars -- --noplot
	cargo bench -p unusual-whales-nt-sim --bench generate -- --noplot
	$(PY) scripts/bench_decode.py
	$(PY) scripts/bench_delivery.py
	$(PY) scripts/bench_e2e.py
	$(PY) scripts/bench_flow_bars.py

bench-legacy: $(VENV_LEGACY)/.installed
	$(PY_LEGACY) scripts/bench_decode.py --out bench-results/decode-nt$(NT_LEGACY_VERSION).json
	$(PY_LEGACY) scripts/bench_delivery.py --out bench-results/delivery-nt$(NT_LEGACY_VERSION).json
	$(PY_LEGACY) scripts/bench_e2e.py --out bench-results/e2e-nt$(NT_LEGACY_VERSION).json
	$(PY_LEGACY) scripts/bench_flow_bars.py --out bench-results/flow-bars-nt$(NT_LEGACY_VERSION).json

# A real node, the connection dropped every 5 s for 5 minutes: lost, duplicated, out-of-order.
fault-soak: build
	$(PY) scripts/fault_soak.py

bench-soak: build
	$(PY) scripts/bench_e2e.py --soak 600 --soak-rate 10000 --out bench-results/soak.json

clean:
	rm -rf $(VENV) $(VENV_LEGACY) target .pytest_cache .hypothesis
