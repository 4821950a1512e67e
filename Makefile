PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test test-calendar lint schema schema-check install bench bench-pricing bench-flash bench-numbers bench-points bench-fanout bench-graphql clean

# Instants the calendar suite runs at (Asia/Shanghai): day 1 of a cycle (bills PENDING), day 2,
# year end, new year, month end, a leap day, inside the 517 festival.
CALENDAR_EDGES := 2026-12-01T00:30:00+08:00 2026-12-02T23:59:00+08:00 2026-12-31T23:30:00+08:00 \
	2027-01-01T00:10:00+08:00 2027-02-28T23:50:00+08:00 2028-02-29T12:00:00+08:00 \
	2027-05-17T10:00:00+08:00

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

# The date-sensitive tests (marker `calendar`) with the hall's clock started at each edge.
test-calendar: $(STAMP)
	@set -e; for at in $(CALENDAR_EDGES); do \
		echo "== the hall's clock starts at $$at"; \
		TELEHALL_ENV=test TELEHALL_TEST_NOW=$$at $(BIN)/python -m pytest -m calendar -p no:cacheprovider; \
	done

bench: bench-pricing bench-flash

bench-pricing: $(STAMP)
	$(BIN)/python -m bench.pricing

bench-flash: $(STAMP)
	$(BIN)/python -m bench.flash

# Number search on a 1,000,000-number pool (stocked on first run under .data/bench-numbers/).
bench-numbers: $(STAMP)
	$(BIN)/python -m bench.numbers

# PostgreSQL when TELEHALL_BENCH_DATABASE_URL is set (e.g. postgres://postgres@127.0.0.1:5432/test)
bench-points: $(STAMP)
	$(BIN)/python -m bench.points

# Interest fan-out to 100,000 subscribers while API reads run; PostgreSQL as for bench-points.
bench-fanout: $(STAMP)
	$(BIN)/python -m bench.fanout

# The GraphQL layer's cost beside its reads (dashboard vs bare routes), ratios of one run.
bench-graphql: $(STAMP)
	$(BIN)/python -m bench.graphql

clean:
	rm -rf $(VENV) .data
