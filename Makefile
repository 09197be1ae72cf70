# One-command entry points. `make book` and `make test` each set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.camulenet-installed
export PYTHONHASHSEED := 0

.PHONY: setup data book book-html test smoke sync bench clean help publish pdf

help:
	@echo "make book   - set up .venv, build the embedded corpus, execute all notebooks, build the HTML book"
	@echo "              CORPUS=ravdess (or several: CORPUS=\"ravdess crema-d\") builds it on real speech, fetched if missing"
	@echo "make test   - set up .venv, run pytest (package tests + nbval smoke runs of every notebook)"
	@echo "make sync   - re-sync notebooks/*.ipynb from their Jupytext .py sources"
	@echo "make bench  - feature, training and corpus-scale benchmarks (print figures)"
	@echo "make publish - push the built book (_build/html) to the gh-pages branch of origin (PUBLISH_REMOTE, PUBLISH_BRANCH)"
	@echo "make pdf    - the whole book as one PDF, offline, with Debian's chromium -> _build/pdf/camulenet-book.pdf"

# torch first: 2.13.0 installs the CPU build from local disk; anything that pulls another
# torch would download several GB. openai-whisper goes in without deps to avoid triton.
$(STAMP): requirements.lock pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps openai-whisper==20250625
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

setup: $(STAMP)

data: setup
	$(PY) -m data_prep.synthetic

sync: setup
	$(VENV)/bin/jupytext --sync notebooks/*.py

# Execute every notebook with papermill into book/, then build HTML with warnings as errors.
# CORPUS names the book's corpora (scripts/build_book.py --corpus); an open one missing under
# data/corpora is fetched first (python -m camulenet fetch).
CORPUS ?=
book: setup data
	$(PY) scripts/build_book.py $(if $(strip $(CORPUS)),--corpus $(CORPUS))

book-html: setup
	$(PY) scripts/build_book.py --no-execute

# Package tests, then every notebook executed by nbval in smoke mode (CAMULENET_SMOKE=1
# makes each notebook use the small corpus and few epochs; cells must run without error).
# The package tests on two pytest-xdist workers (the route tests in groups, tests/conftest.py)
# and, beside them in a process of their own, the notebooks in order (each chapter reads what
# the one before made); the notebooks' report follows the tests'. Fails if either fails.
# One torch/OpenMP thread per test process: three processes share the cores, and threads
# that spin waiting for each other on a busy core cost CPU time and gain nothing.
TEST_WORKERS ?= 2
test: export CAMULENET_FETCH := never
test: export OMP_NUM_THREADS := 1
test: setup
	@log=$$(mktemp); \
	CAMULENET_SMOKE=1 $(PY) -m pytest -p no:xdist notebooks --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg --durations=10 > $$log 2>&1 & nb=$$!; \
	CAMULENET_SMOKE=1 $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup tests --durations=25; rt=$$?; \
	wait $$nb; rn=$$?; echo "== notebooks (nbval, smoke mode)"; cat $$log; rm -f $$log; \
	test $$rt -eq 0 -a $$rn -eq 0

# The built HTML (make book first) to a GitHub Pages branch with ghp-import; it does not rebuild.
PUBLISH_REMOTE ?= origin
PUBLISH_BRANCH ?= gh-pages
publish: setup
	PUBLISH_REMOTE=$(PUBLISH_REMOTE) PUBLISH_BRANCH=$(PUBLISH_BRANCH) $(PY) scripts/publish.py

# Every page of the book printed by chromium and joined in toc order (pdfunite); prints the
# executed notebooks in book/ (make book first). Installs chromium and poppler-utils with
# apt when missing and run as root on Debian.
pdf: setup
	$(PY) scripts/build_pdf.py

bench: setup
	$(PY) scripts/bench_features.py
	$(PY) scripts/bench_training.py
	$(PY) scripts/bench_scale.py

clean:
	rm -rf _build book/*.ipynb build
