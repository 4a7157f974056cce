# One Makefile for everything: each target builds its own virtual environment
# first, so a fresh machine with only python3 and make is enough.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DIR ?= demo

.PHONY: demo test check fix bench templates clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mentorflow demo $(DEMO_DIR)

test: $(STAMP)
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/ruff check pipeline jobs tests benchmarks
	$(BIN)/ruff format --check pipeline jobs tests benchmarks
	$(BIN)/mypy

fix: $(STAMP)
	$(BIN)/ruff check --fix pipeline jobs tests benchmarks
	$(BIN)/ruff format pipeline jobs tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The empty workbooks a coordinator uploads to Google Drive (README, "Connect your Google
# Sheet"); a test fails when they differ from what `mentorflow init` writes.
templates: $(STAMP)
	for lang in nl en nb; do rm -f templates/workbook/programme-$$lang.xlsx; \
	  $(BIN)/mentorflow init templates/workbook/programme-$$lang.xlsx --lang $$lang; done

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache *.egg-info
