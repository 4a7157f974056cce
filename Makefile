# One Makefile for everything: each target builds its own virtual environment
# first, so a fresh machine with only Python and make is enough. On Windows, run make
# from Git Bash: the recipes need its sh, rm and touch.
VENV ?= .venv
ifeq ($(OS),Windows_NT)
# Windows names the interpreter python (there is no python3), and a virtual environment
# keeps its programs in Scripts\ as .exe files instead of in bin/.
PYTHON ?= python
BIN := $(VENV)/Scripts
EXE := .exe
else
PYTHON ?= python3
BIN := $(VENV)/bin
EXE :=
endif
STAMP := $(VENV)/.installed-stamp
DEMO_DIR ?= demo

.PHONY: demo test check fix bench templates screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python$(EXE) -m pip install --quiet --upgrade pip
	$(BIN)/python$(EXE) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mentorflow$(EXE) demo $(DEMO_DIR)

test: $(STAMP)
	$(BIN)/python$(EXE) -m pytest

check: $(STAMP)
	$(BIN)/ruff$(EXE) check pipeline jobs tests benchmarks
	$(BIN)/ruff$(EXE) format --check pipeline jobs tests benchmarks
	$(BIN)/mypy$(EXE)
	$(BIN)/lint-imports$(EXE)

fix: $(STAMP)
	$(BIN)/ruff$(EXE) check --fix pipeline jobs tests benchmarks
	$(BIN)/ruff$(EXE) format pipeline jobs tests benchmarks

bench: $(STAMP)
	$(BIN)/python$(EXE) -m benchmarks

# The empty workbooks a coordinator uploads to Google Drive (README, "Connect your Google
# Sheet"); a test fails when they differ from what `mentorflow init` writes.
templates: $(STAMP)
	for lang in nl en nb; do rm -f templates/workbook/programme-$$lang.xlsx; \
	  $(BIN)/mentorflow$(EXE) init templates/workbook/programme-$$lang.xlsx --lang $$lang; done

# The README's pictures (docs/*.png): the demo on a fixed day, four of its tabs printed by
# LibreOffice and two of its mails shown by headless Chromium (docs/screenshots.py; it
# installs what is missing with apt-get as root, else names the packages to install).
screenshots: $(STAMP)
	$(BIN)/python$(EXE) docs/screenshots.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache *.egg-info
