# Two commands on a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= $(or $(DESTEK_PORT),8000)

.PHONY: run test lint check-python install install-dev chromium mailserver clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Destek needs Python 3.11 or newer; set PYTHON=python3.11")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[nlp]'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: migrate the embedded SQLite database, load demo data, serve on $(PORT)
run: install
	DESTEK_PORT=$(PORT) $(BIN)/destek demo

## make lint: ruff and mypy (strict) on src/
lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## make chromium: Debian's Chromium for the browser tests (never a downloaded browser)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }; \
	  else sudo apt-get install -y -q chromium; fi; }

## make mailserver: Debian's dovecot IMAP server for the e-mail channel's tests (the tests start it)
mailserver:
	@test -x /usr/sbin/dovecot || { \
	  echo "installing Debian's dovecot-imapd for the e-mail tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q dovecot-imapd >/dev/null || { apt-get update -q && apt-get install -y -q dovecot-imapd; }; \
	  else sudo apt-get install -y -q dovecot-imapd; fi; }

## make test: lint, then the whole suite (SQLite and PostgreSQL, memory and Redis bus, real Chromium)
test: install-dev chromium mailserver lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
