# Developer entry points. The real work lives in scripts/; `make help` lists targets.
SHELL := /bin/bash
PY := .venv/bin/python
BIN := .venv/bin

.PHONY: help bootstrap bootstrap-dev run test lint fmt check ci

help:
	@echo "make run        set up, migrate, seed demo data, serve on 127.0.0.1:\$$PORT (8000)"
	@echo "make test       pytest on SQLite, then on a throwaway PostgreSQL (PYTEST_ARGS=...)"
	@echo "make lint       ruff check, ruff format --check, mypy"
	@echo "make fmt        ruff format, ruff check --fix"
	@echo "make check      Django deploy checks with production-like settings; missing migrations"
	@echo "make ci         everything CI runs (.ci/run)"
	@echo "make bootstrap  only set up (.venv, translations, var/); bootstrap-dev adds test tools"

bootstrap:
	@scripts/bootstrap.sh

bootstrap-dev:
	@scripts/bootstrap.sh --dev

# DEBUG and DEMO_MODE default to on (the environment wins). Without a fixed key,
# settings make a new one per process and every autoreload logs everyone out,
# so keep one in var/ unless the environment brings its own.
run: bootstrap
	@export DEBUG="$${DEBUG:-true}" DEMO_MODE="$${DEMO_MODE:-true}"; \
	if [[ -z "$${SECRET_KEY:-}$${SECRET_KEY_FILE:-}" ]]; then \
		[[ -s var/secret_key ]] || (umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' >var/secret_key); \
		export SECRET_KEY_FILE="$(CURDIR)/var/secret_key"; \
	fi; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py seed_demo && \
	exec $(PY) manage.py runserver "127.0.0.1:$${PORT:-8000}"

test: bootstrap-dev
	@scripts/test.sh

lint: bootstrap-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy skinchart

fmt: bootstrap-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Production-like: an empty environment (so a developer's DEBUG=true etc. can't
# leak in), DEBUG off, a random key, a real host name, a throwaway database.
check: bootstrap
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	key=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') && \
	photo_keys=$$($(PY) -c 'import base64, os; print("check:" + base64.b64encode(os.urandom(32)).decode())') && \
	prod=(env -i PATH="$$PATH" HOME="$$HOME" LANG=C.UTF-8 DEBUG=false SECRET_KEY="$$key" PHOTO_KEYS="$$photo_keys" \
		ALLOWED_HOSTS=skinchart.example.org DATABASE_URL="sqlite:///$$tmp/check.sqlite3" VAR_DIR="$$tmp") && \
	"$${prod[@]}" $(PY) manage.py check --deploy --fail-level WARNING && \
	"$${prod[@]}" $(PY) manage.py makemigrations --check --dry-run

ci:
	.ci/run
