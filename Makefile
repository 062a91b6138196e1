# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint translations migrate seed bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

translations: $(VENV)/.installed-run
	$(FLASK) translate compile

migrate: translations
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --requests 5000 --seed 1 --once

run: seed
	@echo ""
	@echo "  Pyydä apua / Be om hjälp is running at http://$(HOST):$(PORT)"
	@echo "  (Finnish: http://$(HOST):$(PORT)/fi/   Swedish: http://$(HOST):$(PORT)/sv/)"
	@echo "  Stop it with Ctrl+C."
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev
	$(FLASK) translate compile
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: translations
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache translations/*/LC_MESSAGES/*.mo
