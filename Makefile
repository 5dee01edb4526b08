# Agora: every target sets up its own virtual environment (.venv) first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench bench-tally soak clean contexts openapi fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The reference DIDComm implementation, an interop peer, lives in its own
# environment: its pins (pydantic<2) conflict with the hub's FastAPI
# (tests/interop/didcomm_peer.py says more).
PEER_VENV := .venv-didcomm
PEER_STAMP := $(PEER_VENV)/.installed

$(PEER_STAMP): tests/interop/didcomm-requirements.txt
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet -r tests/interop/didcomm-requirements.txt
	touch $(PEER_STAMP)

demo: $(STAMP)
	$(BIN)/python examples/quickstart.py
	$(BIN)/python examples/thread.py
	$(BIN)/python examples/community.py
	$(BIN)/python examples/messages.py

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(PEER_STAMP)
	$(BIN)/pytest -n auto --dist loadfile --cov --cov-report=term --cov-fail-under=90 -q --durations=15

test: lint typecheck unit

soak: $(STAMP)
	$(BIN)/pytest -q -m soak

bench: $(STAMP)
	$(BIN)/python benchmarks/keys.py
	$(BIN)/python benchmarks/credentials.py
	$(BIN)/python benchmarks/wallet.py
	$(BIN)/python benchmarks/agora.py
	$(BIN)/python benchmarks/status.py
	$(BIN)/python benchmarks/verify_many.py
	$(BIN)/python benchmarks/store.py
	$(BIN)/python benchmarks/bundle.py
	$(BIN)/python benchmarks/feed.py
	$(BIN)/python benchmarks/moderation_feed.py
	$(BIN)/python benchmarks/messaging.py
	$(BIN)/python benchmarks/hub_service.py
	$(BIN)/python benchmarks/counting.py
	$(BIN)/python benchmarks/tally.py --count 100000
	$(BIN)/python benchmarks/cli.py

N ?= 100000
bench-tally: $(STAMP)
	$(BIN)/python benchmarks/tally.py --count $(N)

# The hub's published OpenAPI document (a test checks it is current).
openapi: $(STAMP)
	$(BIN)/python -m hub.openapi docs/hub-openapi.json

# A longer schema fuzzing run of the hub than the one in `make test`.
FUZZ_EXAMPLES ?= 1000
fuzz: $(STAMP)
	AGORA_HUB_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -n 0 -p no:randomly tests/hub/test_hub_fuzz.py

contexts:
	bash scripts/vendor_contexts.sh

clean:
	rm -rf $(VENV) $(PEER_VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .hypothesis
