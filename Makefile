# picklock — every target installs what it needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEMO_HOME ?= .picklock-demo

.PHONY: install install-dev demo test test-unit dev emulators clean

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

test: install-dev infra-check ## every test: unit, integration and end-to-end (starts the emulators itself)
	$(PY) -m pytest -q -p no:cacheprovider tests

test-unit: install-dev
	$(PY) -m pytest -q -p no:cacheprovider tests/unit

dev: install-dev ## the whole local stack (emulators, topics, functions) until Ctrl-C
	$(PY) tools/dev.py

emulators: install-dev ## Pub/Sub, Cloud Storage and BigQuery emulators on loopback until Ctrl-C
	$(PY) tools/emulators.py

clean:
	rm -rf $(VENV) .emulators .picklock $(DEMO_HOME) artifacts build

# -- deploy to Google Cloud (infra/README.md) ---------------------------------------------------
TERRAFORM ?= terraform
CHECKOV_VERSION := 3.3.30
# checkov pins dozens of packages (an older `packaging` among them): its own venv keeps them out
# of .venv, whose versions tools/bundle.py pins for the functions.
CHECKOV_VENV := build/tools/checkov
DEPLOY_VARS = -var project=$(PROJECT) -var region=$(REGION) \
	$(if $(BUCKET),-var bucket=$(BUCKET)) $(if $(WEBSITE_ORIGIN),-var website_origin=$(WEBSITE_ORIGIN))

.PHONY: bundle deploy deploy-args infra-check migrate

bundle: install-dev ## build/bundle/ and build/bundle.zip: the functions' source, pinned requirements
	$(PY) tools/bundle.py

deploy-args:
	@test -n "$(PROJECT)" -a -n "$(REGION)" || { echo "usage: make deploy PROJECT=<project id> REGION=<region> [BUCKET=<name>] [WEBSITE_ORIGIN=https://...] [TF_ARGS=...]" >&2; exit 2; }

deploy: deploy-args bundle ## PROJECT=... REGION=...: bundle, terraform init, terraform apply (asks before changing anything)
	$(TERRAFORM) -chdir=infra init -input=false
	$(TERRAFORM) -chdir=infra apply $(DEPLOY_VARS) $(TF_ARGS)

migrate: install-dev ## PROJECT=... [DATASET=...]: bring the BigQuery tables of an earlier version to today's shape (infra/README.md)
	@test -n "$(PROJECT)" || { echo "usage: make migrate PROJECT=<project id> [DATASET=<dataset>] [BUCKET=<name>]" >&2; exit 2; }
	PICKLOCK_BACKEND=gcp PICKLOCK_PROJECT=$(PROJECT) PICKLOCK_BUCKET=$(or $(BUCKET),$(PROJECT)-picklock) \
		$(if $(DATASET),PICKLOCK_DATASET=$(DATASET)) $(BIN)/picklock migrate

$(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

infra-check: $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION) ## offline checks of infra/: terraform fmt, checkov
	@command -v $(TERRAFORM) >/dev/null || { echo "infra-check: $(TERRAFORM) not found (set TERRAFORM=/path/to/terraform)" >&2; exit 1; }
	$(TERRAFORM) fmt -check -recursive infra/
	$(CHECKOV_VENV)/bin/checkov --directory infra --framework terraform --skip-download --compact --quiet

# -- benchmarks (docs/BENCHMARKS.md) ------------------------------------------------------------
.PHONY: bench

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-dev
	$(PY) -m pip install --quiet -e ".[test,gcp,bench]"
	touch $@

bench: install-dev $(VENV)/.installed-bench ## cost, latency and scaling of an export next to a naive baseline (starts the emulators itself; ~10 min)
	PYTHONPATH=tools $(PY) -m bench

# -- reliability (docs/RELIABILITY.md) ------------------------------------------------------------
.PHONY: chaos

chaos: install-dev ## concurrency, crashes, redelivery, backend faults, bursts, bad input at full scale; figures to docs/RELIABILITY.md (~10 min)
	$(PY) tools/chaos.py

# -- mutation testing (docs/MUTATION.md) ----------------------------------------------------------
.PHONY: mutants

$(VENV)/.installed-mutation: pyproject.toml $(VENV)/.installed-dev
	$(PY) -m pip install --quiet -e ".[test,gcp,mutation]"
	touch $@

mutants: install-dev $(VENV)/.installed-mutation ## mutmut over shared/picklock/domain/ with tests/unit; score and verdicts of survivors to docs/MUTATION.md (~15 min)
	$(PY) tools/mutants.py
