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

.PHONY: install test chromium tesseract espeak dashboard zoo bench bench-ui gallery clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch + torchvision first and pinned: the pair these machines carry on disk (others download GBs).
	$(BIN)/python -m pip install -q torch==2.14.1 torchvision==0.29.1
	$(BIN)/python -m pip install -q -e ".[app,test]"
	touch $(STAMP)

install: $(STAMP)

zoo: $(STAMP)
	EXPLORER_ZOO=$(ZOO) HF_HUB_OFFLINE=1 $(BIN)/explorer zoo

test: $(STAMP) chromium tesseract espeak
	$(BIN)/ruff check explorer
	$(BIN)/mypy
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

# The browser tests drive Debian's chromium (playwright cannot download browsers here); CI runs as
# root on Debian, so it is installed there when missing. Elsewhere those tests skip without it.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "note: /usr/bin/chromium is missing (apt-get install chromium); browser tests will skip"; fi; \
	fi

# Document QA on a user's own scanned page reads its words with Tesseract OCR (pytesseract calls
# the Debian binary); installed the same way, and its tests skip without it.
tesseract:
	@if ! command -v tesseract >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q tesseract-ocr; \
	  else echo "note: tesseract is missing (apt-get install tesseract-ocr); OCR tests will skip"; fi; \
	fi

# The speech toys' tests make held-out recordings with eSpeak NG (training does too; the explorer
# never calls it at run time); installed the same way, and those tests skip without it.
espeak:
	@if ! command -v espeak-ng >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q espeak-ng; \
	  else echo "note: espeak-ng is missing (apt-get install espeak-ng); speech-toy tests will skip"; fi; \
	fi

# The Voila dashboard (notebooks/dashboard.ipynb, settings in voila.json: loopback only, one
# preheated kernel waiting with the app built, idle kernels of closed pages culled), with the
# offline zoo as the default checkpoints.
dashboard: zoo
	@echo "AutoClass Explorer: open http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	EXPLORER_ZOO=$(ZOO) $(BIN)/voila notebooks/dashboard.ipynb --port=$(PORT) --Voila.ip=127.0.0.1 --no-browser

bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/bench.py

# Time to interactive of the dashboard vs a bare ipywidgets page in chromium (goal <= 1.5x), the
# memory of a dashboard kernel, and the kernels left once pages close.
bench-ui: zoo chromium
	EXPLORER_ZOO=$(ZOO) HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/bench_ui.py

gallery: zoo
	EXPLORER_ZOO=$(ZOO) HF_HUB_OFFLINE=1 $(BIN)/python scripts/gallery.py --out gallery

clean:
	rm -rf $(VENV) .pytest_cache
