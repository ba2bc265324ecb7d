# Two commands: `make run` and `make test`. Both set up .venv from requirements.txt first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CORPUS ?=
PORT ?= 8000

.PHONY: run test bench lint clean-data

$(BIN)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

run: $(BIN)/.installed
	PORT=$(PORT) $(BIN)/python -m newsreader.launcher $(if $(CORPUS),--corpus "$(CORPUS)")

test: $(BIN)/.installed
	$(BIN)/python -m pytest

$(BIN)/.bench-installed: $(BIN)/.installed tests/bench/requirements.txt
	$(BIN)/python -m pip install --quiet -r tests/bench/requirements.txt
	touch $@

bench: $(BIN)/.bench-installed
	$(BIN)/python -m tests.bench

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Stops the embedded PostgreSQL and deletes its data (var/): the next `make run` starts afresh.
clean-data: $(BIN)/.installed
	$(BIN)/python -c 'from newsreader import embedded_postgres; embedded_postgres.stop()'
	rm -rf var
