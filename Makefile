PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint schema schema-check install bench bench-pricing bench-points clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/telehall serve --setup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

schema: $(STAMP)
	$(BIN)/telehall export-schema schema.graphql

schema-check: $(STAMP)
	$(BIN)/telehall export-schema --check schema.graphql

test: $(STAMP) lint schema-check
	TELEHALL_ENV=test $(BIN)/python -m pytest

bench: bench-pricing

bench-pricing: $(STAMP)
	$(BIN)/python -m bench.pricing

# PostgreSQL when TELEHALL_BENCH_DATABASE_URL is set (e.g. postgres://postgres@127.0.0.1:5432/test)
bench-points: $(STAMP)
	$(BIN)/python -m bench.points

clean:
	rm -rf $(VENV) .data
