# The two commands a newcomer runs: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
CATALOGS := $(wildcard tracker/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test lint translations bench clean mutation

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

run: $(VENV)/.installed $(COMPILED)
	TRACKER_ENV=development $(BIN)/tracker db upgrade
	TRACKER_ENV=development $(BIN)/tracker demo
	@echo "Serving on http://$(HOST):$(PORT) (Ctrl+C stops it)"
	TRACKER_ENV=development TRACKER_RUN_SCHEDULER=1 $(BIN)/tracker run --host $(HOST) --port $(PORT) --no-reload

test: $(VENV)/.installed $(COMPILED)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

# mypy checks what [tool.mypy] in pyproject.toml lists: the package, config.py, tests, bench.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# After changing user-facing strings: refresh the template and the catalogues, then translate.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o tracker/translations/messages.pot .
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations \
		--no-fuzzy-matching --ignore-obsolete --width 100

# Mutation testing, run by hand (not by `make test` or CI; about 10 minutes on 2 cores):
# the modules and tests are in [tool.mutmut] of pyproject.toml, the last scores in
# docs/mutation.md. `$(BIN)/mutmut show <name>` prints a surviving mutant's diff.
mutation: $(VENV)/.installed
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) mutants .pytest_cache .ruff_cache $(COMPILED)
