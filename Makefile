# picklock — every target installs what it needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEMO_HOME ?= .picklock-demo

.PHONY: install install-dev demo test test-unit test-integration emulators clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test,gcp]"
	touch $@

install: $(VENV)/.installed ## .venv with the picklock CLI

install-dev: $(VENV)/.installed-dev

demo: install ## play a whole game day on the embedded backend
	$(PY) tools/demo.py --home $(DEMO_HOME)

test: install-dev ## every test: unit, integration and end-to-end (starts the emulators itself)
	$(PY) -m pytest -q -p no:cacheprovider tests

test-unit: install-dev
	$(PY) -m pytest -q -p no:cacheprovider tests/unit

emulators: install-dev ## Pub/Sub, Cloud Storage and BigQuery emulators on loopback until Ctrl-C
	$(PY) tools/emulators.py

clean:
	rm -rf $(VENV) .emulators .picklock $(DEMO_HOME) artifacts
