# Fresh machine: `make demo` sets up and runs the main job; `make test` sets up and runs every check.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NATIVE := $(VENV)/.native
NATIVE_SRC := $(wildcard src/karavan/_native/*.c src/karavan/_native/*.h)

.PHONY: setup browser demo test lint typecheck pytest bench clean

# The editable install compiles the C kernels (a C compiler is needed) into src/karavan/_native.
$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 'setuptools>=69'
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Rebuild the compiled kernels in place when their C sources change.
$(NATIVE): $(STAMP) $(NATIVE_SRC)
	$(BIN)/python setup.py --quiet build_ext --inplace
	touch $(NATIVE)

setup: $(NATIVE)

demo: $(NATIVE)
	$(BIN)/karavan network validate
	$(BIN)/karavan route "Xi'an" Istanbul --cargo FEU --count 2 --avoid-country RU

lint: $(NATIVE)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(NATIVE)
	$(BIN)/mypy

# Browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

pytest: $(NATIVE) browser
	$(BIN)/pytest -q

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build src/karavan/_native/*.so
