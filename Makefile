# policybot — set up, run and test on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install browser index run chat test bench clean

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

# The web chat on http://127.0.0.1:8000/ and the SLT dashboard on /slt (Slack, Teams, Telegram too when
# their settings are in .env).
run: index
	$(BIN)/policybot serve

chat: index
	$(BIN)/policybot chat

# The dashboard's page tests drive Debian's chromium (no browser download: nothing is fetched at run time).
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/scifact.py

clean:
	rm -rf $(VENV) index/*.json index/*.npy index/*.npz index/*.jsonl
