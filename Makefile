# Two commands on a fresh machine: `make book` and `make test`. Both create .venv if missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NB ?= $(wildcard book/*.ipynb)

.PHONY: book test execute serve ledger clean venv

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## make book: execute every notebook and build the HTML (warnings are errors)
book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "The book is at $(CURDIR)/_build/html/index.html (serve it with: make serve)"

## make test: library tests, doctests, and nbval over every notebook against its stored outputs
test: $(STAMP)
	$(PY) -m pytest

## make execute [NB=book/01_model.ipynb]: re-execute notebooks in place after editing them
execute: $(STAMP)
	$(PY) scripts/execute_notebooks.py $(NB)

## make serve: serve the built book on http://localhost:8000
serve:
	$(PY) -m http.server --directory _build/html 8000

## make ledger: print the reproduction ledger
ledger: $(STAMP)
	$(PY) -m aftermarkets.ledger

clean:
	rm -rf _build
