# Two commands on a fresh machine:
#   make dashboard   builds what is missing, then serves the explorer on http://127.0.0.1:8866
#   make test        builds what is missing, then runs the whole test suite offline
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ZOO ?= $(HOME)/.cache/autoclass-explorer/zoo
PORT ?= 8866

.PHONY: install test dashboard zoo bench gallery clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first and pinned: 2.13.0 is the CPU wheel these machines carry (others pull CUDA).
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[app,test]"
	touch $(STAMP)

install: $(STAMP)

zoo: $(STAMP)
	EXPLORER_ZOO=$(ZOO) HF_HUB_OFFLINE=1 $(BIN)/explorer zoo

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

dashboard: zoo
	@echo "AutoClass Explorer demo (offline zoo at $(ZOO)):"
	EXPLORER_ZOO=$(ZOO) HF_HUB_OFFLINE=1 $(BIN)/explorer run zoo:object-detection --render explorer-demo.png
	@echo "view written to explorer-demo.png"

bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/bench.py

gallery: zoo
	EXPLORER_ZOO=$(ZOO) HF_HUB_OFFLINE=1 $(BIN)/python scripts/gallery.py gallery

clean:
	rm -rf $(VENV) .pytest_cache
