# Two commands on a fresh machine (Python >= 3.10 and make): `make serve` and `make test`. Each
# creates the virtualenv in .venv and installs the project into it the first time (and again when
# pyproject.toml changes).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: serve test lint docs bench

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[grpc,asgi,dev]"
	touch $(INSTALLED)

# The fake on daprd's defaults: HTTP 127.0.0.1:3500, gRPC 50001, Dapr 1.18, clock in real time.
serve: $(INSTALLED)
	$(BIN)/dapr-jobs-fake $(ARGS)

# The test suite, in parallel (real-runtime recording and other-language clients are separate).
# The suite starts many Python processes (pytester runs, the CLI): with PYTHONDONTWRITEBYTECODE set,
# each would compile every module again, so bytecode caching is on for it (__pycache__ is ignored).
test: $(INSTALLED)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n auto --dist worksteal -q -p no:cacheprovider $(ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The docs site (docs/ and the docstrings), warnings as errors.
docs: $(INSTALLED)
	$(BIN)/mkdocs build --strict

bench: $(INSTALLED)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done
