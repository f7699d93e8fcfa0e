# KA Cockpit: `make run` installs and starts the app; `make test` installs the test tools and runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test bench audit

$(VENV)/.app: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.app requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.app
	$(BIN)/python -m streamlit run app.py

test: $(VENV)/.dev
	$(BIN)/python -m pytest -q

bench: $(VENV)/.dev
	$(BIN)/python -m bench

audit: $(VENV)/.dev
	$(BIN)/python -m pip_audit -r requirements.txt
