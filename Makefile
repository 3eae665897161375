# The two commands a newcomer runs: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The address written into email links, action links and calendar URLs: where `make run`
# serves, unless set (e.g. the name the others reach this machine by).
TRACKER_BASE_URL ?= http://$(HOST):$(PORT)
CATALOGS := $(wildcard tracker/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test lint translations bench clean mutation

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Two installs, each with its stamp: `make run` needs only the application; `make test`,
# `make lint` and the other developer targets add the test extras (pytest, Playwright, mypy…).
$(VENV)/.installed-run: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

%.mo: %.po $(VENV)/.installed-run
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

run: export TRACKER_ENV = development
run: export TRACKER_BASE_URL := $(TRACKER_BASE_URL)
run: $(VENV)/.installed-run $(COMPILED)
	$(BIN)/tracker db upgrade
	$(BIN)/tracker demo
	@echo "Serving on http://$(HOST):$(PORT), links in emails to $(TRACKER_BASE_URL) (Ctrl+C stops it)"
	TRACKER_RUN_SCHEDULER=1 $(BIN)/tracker run --host $(HOST) --port $(PORT) --no-reload

# The suite runs on every core and one worker more (pytest-xdist): on two cores two workers
# left a quarter of the CPU idle while tests waited on a browser, a child process or an SMTP
# exchange. A test file per worker at a time (its module fixtures, a browser or a scan read
# once, are not built twice); each worker builds its own databases. The slowest tests are
# listed at the end, to keep an eye on CI's 15 minutes.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
test: $(VENV)/.installed-test $(COMPILED)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=25

# mypy checks what [tool.mypy] in pyproject.toml lists: the package, config.py, tests, bench.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# After changing user-facing strings: refresh the template and the catalogues, then translate.
translations: $(VENV)/.installed-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o tracker/translations/messages.pot .
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations \
		--no-fuzzy-matching --ignore-obsolete --width 100

# Mutation testing, run by hand (not by `make test` or CI; about 10 minutes on 2 cores):
# the modules and tests are in [tool.mutmut] of pyproject.toml, the last scores in
# docs/mutation.md. `$(BIN)/mutmut show <name>` prints a surviving mutant's diff.
mutation: $(VENV)/.installed-test
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) mutants .pytest_cache .ruff_cache $(COMPILED)
