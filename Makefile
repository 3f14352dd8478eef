# Two commands on a fresh machine: `make book` and `make test`. Every target that runs Python
# creates .venv if missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LAB_STAMP := $(VENV)/.lab-installed
NB ?= $(wildcard book/*.ipynb)
# Python may cache compiled modules (__pycache__/, git-ignored) even where the environment says
# otherwise: pytest then rewrites the test modules' assertions once, not in every run and worker.
unexport PYTHONDONTWRITEBYTECODE

# Debian packages for `make pdf` (TeX Live with xelatex, latexmk, fonts; pdftotext for the check)
TEX_PACKAGES := texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
	texlive-xetex latexmk fonts-freefont-otf tex-gyre poppler-utils
REVEAL := slides/node_modules/reveal.js/package.json

.PHONY: book html test execute serve ledger bench bench-book clean venv lab lab-install student slides pdf pdf-deps \
	generated screenshots

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## make lab-install: JupyterLab and jupyterlab-myst (pinned in requirements-lab.txt) into .venv
lab-install: $(LAB_STAMP)

$(LAB_STAMP): $(STAMP) requirements-lab.txt
	$(PY) -m pip install --quiet -r requirements-lab.txt
	touch $(LAB_STAMP)

# The generated inputs of the book (scope table, lecture paths, the library's zip): made once per
# make run, so that the book, the student edition and the PDF can be built side by side (make -j).
generated: $(STAMP)
	$(PY) scripts/update_scope.py
	$(PY) scripts/package_library.py

## make book: build the HTML from the notebooks' stored outputs (warnings are errors), and beside
## it, on the other core, the student edition (see make student)
book: $(STAMP)
	$(MAKE) -j2 --output-sync=target html student
	@echo "The book is at $(CURDIR)/_build/html/index.html (serve it with: make serve)"

## make html: the HTML alone
html: generated
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

## make test: lint, library tests, doctests, nbval over every notebook, and the browser tests
## (the built book; a chapter run in JupyterLab, hence the lab requirements), on every core
## (pytest-xdist; the work units are files, see conftest.py). The book (with its student
## edition) and the slides are built first.
test: $(STAMP) $(LAB_STAMP)
	$(VENV)/bin/ruff format --check conftest.py lib tests scripts benchmarks book/_ext
	$(VENV)/bin/ruff format --check --line-length 88 book/*.ipynb
	$(VENV)/bin/ruff check conftest.py lib tests scripts benchmarks book
	$(MAKE) -j2 --output-sync=target html student slides
	$(PY) -m pytest -n auto --no-loadscope-reorder

## make screenshots: the browser tests of the book, of the slides and of JupyterLab, saving a
## screenshot of every page at both widths (_build/screenshots/), of every slide
## (_build/screenshots/slides/) and of the chapter in JupyterLab before and after its run
screenshots: book slides $(LAB_STAMP)
	AFTERMARKETS_SCREENSHOTS=1 $(PY) -m pytest -n auto --no-loadscope-reorder tests/test_browser.py tests/test_slides.py \
	  tests/test_jupyterlab.py

## make student: the student edition, without solutions: _build/student/html and
## _build/student/notebooks (not committed)
student: generated
	$(PY) scripts/student_edition.py

## make slides: one reveal.js deck per chapter, viewable offline: _build/slides/index.html
slides: $(STAMP) $(REVEAL)
	$(PY) scripts/make_slides.py

$(REVEAL): slides/package.json slides/package-lock.json
	@command -v npm >/dev/null || { echo "make slides needs npm (Debian: apt-get install -y nodejs npm)"; exit 1; }
	cd slides && npm ci --no-audit --no-fund
	touch $@

## make pdf: the whole book through LaTeX (xelatex), checked: _build/pdf/book.pdf (its own
## Sphinx cache in _build/pdf/_build, so that it does not invalidate the HTML build's)
pdf: $(STAMP)
	@for tool in xelatex latexmk pdftotext; do command -v $$tool >/dev/null || { \
	  echo "make pdf needs $$tool: run 'make pdf-deps' (as root) to install $(TEX_PACKAGES)"; exit 1; }; done
	$(MAKE) generated
	rm -rf _build/pdf/_build/latex _build/pdf/book.pdf
	$(VENV)/bin/jupyter-book build . --builder pdflatex --path-output _build/pdf
	cp _build/pdf/_build/latex/book.pdf _build/pdf/book.pdf
	$(PY) scripts/check_pdf.py _build/pdf/book.pdf
	@echo "The PDF is at $(CURDIR)/_build/pdf/book.pdf"

## make pdf-deps: install TeX Live and poppler-utils from Debian's packages (root)
pdf-deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES)

## make execute [NB=book/01_model.ipynb]: re-execute notebooks in place after editing them
execute: $(STAMP)
	$(PY) scripts/execute_notebooks.py $(NB)

## make lab: JupyterLab on the chapters in book/ (offline: jupyterlab-config/), with jupyterlab-myst
lab: $(LAB_STAMP)
	$(VENV)/bin/jupyter lab --config=jupyterlab-config/jupyter_lab_config.py --ServerApp.root_dir=book \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

## make serve: serve the built book on http://localhost:8000
serve:
	$(PY) -m http.server --directory _build/html 8000

## make ledger: print the reproduction ledger
ledger: $(STAMP)
	$(PY) -m aftermarkets.ledger

## make bench: speed of the vectorised kernels and simulations, as ratios against references
## measured in the same run (fails if a kernel is below 20x or disagrees with its reference)
bench: $(STAMP)
	$(PY) benchmarks/bench_kernels.py
	$(PY) benchmarks/bench_simulation.py
	$(PY) benchmarks/bench_lab.py

## make bench-book [FULL=1]: the book's time budget (each notebook, a warm make book; FULL=1 adds
## a cold book build and make test, about 10 minutes more)
bench-book: $(STAMP)
	$(PY) benchmarks/bench_book.py $(if $(FULL),--full)

clean:
	rm -rf _build
