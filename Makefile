# gridgov — two commands: `make demo` starts the platform with a demo district, `make test` runs the suite.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
GRIDGOV := $(BIN)/gridgov

.PHONY: demo federation-demo test typecheck serve bench lint lock messages clean assets chromium kannel

demo: $(VENV)/.base assets
	$(GRIDGOV) migrate --noinput -v 0
	$(GRIDGOV) collectstatic --noinput -v 0
	$(GRIDGOV) load_demo --if-empty
	@test -x /usr/sbin/bearerbox -a -x /usr/lib/kannel/test/fakesmsc \
	  && echo "SMS: a private Kannel with a simulated SMSC (gridgov demo_kannel)" \
	  || echo "SMS: Kannel is not installed, messages go to the log (apt-get install kannel kannel-extras)"
	PORT=$(PORT) GRIDGOV_DEMO_KANNEL=$$(test -x /usr/sbin/bearerbox -a -x /usr/lib/kannel/test/fakesmsc && echo 1) \
	  $(GRIDGOV) serve --port $(PORT)

serve: $(VENV)/.base assets
	$(GRIDGOV) serve --port $(PORT)

# A city platform and two district platforms on this machine, each with its own database under
# var/federation-demo/; a case escalated from a district to the city and its steps back down.
federation-demo: $(VENV)/.base assets
	$(BIN)/python -m gridgov.exchange.federation_demo

test: $(VENV)/.test assets chromium kannel typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(GRIDGOV) check --fail-level WARNING
	$(GRIDGOV) makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Services and API modules are type-checked (mypy with django-stubs; settings in pyproject.toml,
# cache in var/mypy-cache: about 30 s the first time, a few seconds after).
typecheck: $(VENV)/.test
	$(BIN)/mypy

# Benchmarks: what they need (test tools, Chromium, wrk and nginx from Debian), then each bench
# once with --smoke to show it works. A full run: .venv/bin/python bench/NAME.py (see README).
BENCHES := locate intake import_people cockpit slow_clients fanout
# The field, citizen, business-line and exchange parts' benches, each where it exists.
BENCHES += $(patsubst bench/%.py,%,$(wildcard bench/positions.py bench/phone.py bench/lines.py \
  bench/portal.py bench/open311.py bench/classify.py bench/exchange.py bench/exchange_package.py))
bench: $(VENV)/.test assets chromium kannel
	@test -x /usr/bin/wrk -a -x /usr/sbin/nginx || { \
	  echo "Installing Debian's wrk (load generator) and nginx (compared in bench/slow_clients.py)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk nginx-light >/dev/null; }
	for b in $(BENCHES); do echo "== bench/$$b.py --smoke"; $(BIN)/python bench/$$b.py --smoke || exit 1; done

# A virtual environment with the locked runtime packages and gridgov itself (editable).
$(VENV)/.base: requirements/base.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r requirements/base.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps -e .
	touch $@

$(VENV)/.test: $(VENV)/.base requirements/test.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes -r requirements/base.txt -r requirements/test.txt
	touch $@

# Browser libraries (Leaflet, ECharts, htmx) from the npm registry, exactly as package-lock.json says.
assets: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's Chromium; install it when it is missing (never download a browser).
chromium:
	@test -x /usr/bin/chromium -a -x /usr/bin/xgettext -a -x /usr/bin/certutil || { \
	  echo "Installing Debian's chromium (browser tests), gettext (catalog checks) and certutil (a test CA for the browser)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji gettext libnss3-tools >/dev/null; }

# The SMS tests and bench run a real Kannel (bearerbox, smsbox, fakesmsc) from Debian; install it
# when it is missing.
kannel:
	@test -x /usr/sbin/bearerbox -a -x /usr/lib/kannel/test/fakesmsc || { \
	  echo "Installing Debian's kannel and kannel-extras (the SMS gateway and its simulated SMSC)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq kannel kannel-extras >/dev/null; }

lint: $(VENV)/.test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock:
	$(BIN)/python -m pip install -q pip-tools
	cd requirements && ../$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o test.txt test.in

# Translation catalogs: one per app (gridgov/<app>/locale) and one for the shared pages (gridgov/locale).
APPS := $(patsubst gridgov/%/apps.py,%,$(wildcard gridgov/*/apps.py))
messages: $(VENV)/.base
	for app in $(APPS); do mkdir -p gridgov/$$app/locale && \
	  (cd gridgov/$$app && ../../$(GRIDGOV) makemessages -l zh_Hans --no-obsolete --no-wrap --ignore 'tests/*' -v 0) || exit 1; done
	cd gridgov && ../$(GRIDGOV) makemessages -l zh_Hans --no-obsolete --no-wrap -v 0 --ignore 'tests/*' \
	  $(foreach app,$(APPS),--ignore '$(app)/*')
	$(BIN)/python -m gridgov compilemessages -v 0 --ignore '.venv' --ignore 'node_modules'


clean:
	rm -rf $(VENV) node_modules var/static
