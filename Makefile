# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run test lint chromium oidc-provider wrk bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Start the service on SQLite under ./var/ (seeds the demo into an empty database unless SPINDELVAEV_DEMO=0).
run: $(STAMP)
	$(BIN)/spindelvaev serve --demo

## Lint, type-check and run the whole test suite (SQLite, PostgreSQL where reachable, Chromium).
## One pytest worker per CPU, tests handed out one by one; a module with a module-scoped fixture
## stays on one worker (tests/conftest.py marks it), so the fixture is built once. The 25 slowest
## tests are listed at the end.
test: $(STAMP) chromium oidc-provider lint
	$(BIN)/pytest -n auto --dist loadgroup --durations=25

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports

## Debian's chromium for the browser tests (Playwright drives /usr/bin/chromium; it never downloads one),
## and poppler-utils, whose pdftotext/pdftoppm read the minutes' PDF.
chromium:
	@{ test -x /usr/bin/chromium && command -v pdftoppm >/dev/null; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core poppler-utils >/dev/null; \
	} || { [ "$$CI" != "true" ] || exit 1; echo "chromium kunne ikke installeres; browsertests springes over"; }

## The OpenID Connect provider that tests/test_oidc.py starts (npm oidc-provider, at the locked version).
## Without Node.js the tests are skipped with the reason; under CI=true this fails instead.
oidc-provider:
	@if command -v npm >/dev/null; then cd tests/oidc && npm ci --no-audit --no-fund --silent; \
	elif [ "$$CI" = "true" ]; then echo "npm mangler: OIDC-testene kan ikke køre"; exit 1; \
	else echo "npm mangler; OIDC-testene springes over"; fi

## Debian's wrk drives bench/load.py; without it the script uses its own asyncio client and says so.
wrk:
	@command -v wrk >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null; \
	} || echo "wrk kunne ikke installeres; bench/load.py bruger sin egen asyncio-klient"

bench: $(STAMP) wrk
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(BIN)/python $$script || exit 1; done

bench-quick: $(STAMP) wrk
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script (quick)"; $(BIN)/python $$script --quick || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-output
