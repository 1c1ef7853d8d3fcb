# Two commands matter: `make run` (serve the portal with demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never
export FLASK_APP := wsgi
PORT ?= 8000
WEB_CONCURRENCY ?= 2
APT_TEST_PACKAGES := chromium poppler-utils libharfbuzz-subset0

.PHONY: setup run test lint format lock apt-test assets translations bench clean-db

setup: $(STAMP) static/vendor/htmx.min.js translations

# A stamp file makes re-runs no-ops; the lock file pins every transitive dependency.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.9
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install -q -r requirements.lock
	VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install -q --no-deps -e .
	touch $@

# Regenerate requirements.lock after changing pyproject.toml.
lock:
	test -x $(BIN)/uv || ($(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install -q uv==0.13.9)
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

# htmx comes from the npm registry (version and checksum in package-lock.json), never from git.
static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

translations: $(STAMP)
	$(BIN)/pybabel --quiet compile -f -d portal/translations

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > $@
	chmod 600 $@

run: setup instance/secret_key
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	@$(BIN)/flask demo logins
	$(BIN)/flask outbox run --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	SECRET_KEY="$$(cat instance/secret_key)" $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) \
	  --workers $(WEB_CONCURRENCY) --access-logfile - --access-logformat '%(h)s "%(r)s" %(s)s' wsgi:app

# Installs only the Debian packages that are missing (root on CI; sudo elsewhere).
apt-test:
	@missing=""; for p in $(APT_TEST_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: setup apt-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python -m bench.catalog $(BENCH_ARGS)

clean-db:
	rm -f instance/portal.db instance/portal.db-wal instance/portal.db-shm
