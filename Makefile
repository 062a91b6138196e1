# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint lock translations migrate seed mail-debug send-mail bench fuzz mutants several-servers clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The dependencies come from the lock files (requirements/, exact versions with hashes, made
# from pyproject.toml by `make lock`); the project itself is installed on top without them.
$(VENV)/.installed-run: pyproject.toml requirements/production.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/production.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

# Renew the lock files from pyproject.toml: the newest versions its ranges allow, with hashes.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --upgrade
lock: $(VENV)/.installed-dev
	$(PIP_COMPILE) --output-file requirements/production.txt pyproject.toml
	$(PIP_COMPILE) --extra dev --output-file requirements/dev.txt pyproject.toml

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
	@echo "  E-mail waits in the outbox. To see it: 'make mail-debug' in another terminal,"
	@echo "  then 'MAIL_SERVER=127.0.0.1 MAIL_PORT=1025 make send-mail'."
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

# A local SMTP server for trying e-mail: it prints every message it gets and delivers none.
mail-debug: $(VENV)/.installed-dev
	@echo "Printing every message sent to 127.0.0.1:1025 (stop with Ctrl+C)."
	$(BIN)/python -u -m aiosmtpd -n -l 127.0.0.1:1025 -c pyydaapua.tools.mail_debug.PrintMessages

# One pass over the outbox (with the server above: MAIL_SERVER=127.0.0.1 MAIL_PORT=1025).
send-mail: migrate
	$(FLASK) send-mail

# The W3C Nu HTML checker for tests/web/test_web_valid_html.py, from npm's vnu-jar (needs Java).
VNU_VERSION := 26.9.27
$(VENV)/vnu/vnu.jar: | $(BIN)/python
	@command -v npm >/dev/null || { echo "npm not found: the HTML checker's tests are skipped"; exit 0; }; \
	rm -rf $(VENV)/vnu && mkdir -p $(VENV)/vnu && cd $(VENV)/vnu && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null \
		&& tar -xzf vnu-jar-$(VNU_VERSION).tgz package/build/dist/vnu.jar \
		&& mv package/build/dist/vnu.jar vnu.jar && rm -rf package vnu-jar-$(VNU_VERSION).tgz

# The OpenID Provider of the staff sign-on tests (npm's oidc-provider, pinned by the lock file;
# needs Node.js 20 or later). Offline, its tests are skipped (REQUIRE_OPENID_PROVIDER=1 fails them).
OIDC_PROVIDER := tests/oidc_provider
$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: the OpenID Provider's tests are skipped"; exit 0; }; \
	cd $(OIDC_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error \
		|| { rm -rf node_modules; echo "npm ci failed: the OpenID Provider's tests are skipped"; }

# The suite runs in parallel processes (pytest-xdist), each on a database of its own: one per
# CPU, and at least three, since the browser tests and the servers leave a CPU idle while they
# wait. A test file stays in one process (--dist loadfile): its module fixtures (a server over
# HTTPS, a seeded data set) start once. TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ "$$n" -lt 3 ] && n=3; echo $$n)

test: $(VENV)/.installed-dev $(VENV)/vnu/vnu.jar $(OIDC_PROVIDER)/node_modules/.package-lock.json
	$(FLASK) translate compile
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# The property-based tests at full size (1,000 examples per form; FUZZ_EXAMPLES changes it), on
# SQLite and, at the same time, on PostgreSQL (FUZZ_DATABASE_URL, else TEST_DATABASE_URL, else
# the local server below when it answers). Each writes its output to instance/fuzz/*.log and a
# table of the answers, printed at the end. Not part of `make test`.
FUZZ_PG_DEFAULT := postgresql+psycopg://postgres@127.0.0.1:5432/postgres
FUZZ_PYTEST := HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -p no:cacheprovider tests/property

fuzz: $(VENV)/.installed-dev
	$(FLASK) translate compile
	@rm -rf instance/fuzz; mkdir -p instance/fuzz; \
	url="$${FUZZ_DATABASE_URL:-$$TEST_DATABASE_URL}"; \
	if [ -z "$$url" ] && $(BIN)/python -c "import psycopg; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		url="$(FUZZ_PG_DEFAULT)"; fi; \
	echo "Fuzzing on SQLite$${url:+ and PostgreSQL} (logs in instance/fuzz/) …"; \
	TEST_DATABASE_URL= FUZZ_REPORT=instance/fuzz/sqlite.md $(FUZZ_PYTEST) \
		> instance/fuzz/sqlite.log 2>&1 & sqlite=$$!; \
	status=0; \
	if [ -n "$$url" ]; then \
		TEST_DATABASE_URL="$$url" FUZZ_REPORT=instance/fuzz/postgresql.md $(FUZZ_PYTEST) \
			> instance/fuzz/postgresql.log 2>&1 || status=1; \
	else echo "No PostgreSQL server answered: fuzzing on SQLite only."; fi; \
	wait $$sqlite || status=1; \
	for log in instance/fuzz/*.log; do tail -n 3 "$$log"; done; echo; \
	for report in instance/fuzz/sqlite.md instance/fuzz/postgresql.md; do \
		[ -f "$$report" ] && cat "$$report" && echo; done; \
	cat instance/fuzz/*.failures.txt 2>/dev/null; \
	exit $$status

# Mutation testing of the pure rules and the CSV export against the fast unit tests that cover
# them ([tool.mutmut] in pyproject.toml lists both); about five minutes on two cores. The
# survivors are listed at the end (`$(BIN)/mutmut show NAME` shows one). Not part of `make test`.
mutants: $(VENV)/.installed-dev
	$(FLASK) translate compile
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

# Latency, throughput against a bare Flask page (gunicorn + wrk) and memory, on 1,000, 20,000
# and 100,000 requests on SQLite, and on PostgreSQL too when BENCH_DATABASE_URL names a server
# (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres). The data sets are kept for the
# next run (instance/bench/, databases pyydaapua_bench_<size>). Needs wrk.
# BENCH_ARGS="--sizes 1000,20000 --duration 5s --no-throughput" changes what is run.
bench: translations
	BENCH_DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# Two gunicorn instances behind HAProxy (HTTPS), on a database and a Redis of their own:
# checks that sessions, rate limits and casework hold across instances, and measures them
# with wrk. Needs PostgreSQL on 127.0.0.1:5432, haproxy, redis-server, openssl and wrk.
# Not part of `make test`. SEVERAL_ARGS="--keep" leaves it running.
several-servers: translations $(OIDC_PROVIDER)/node_modules/.package-lock.json
	@missing=""; for tool in haproxy:haproxy redis-server:redis-server wrk:wrk openssl:openssl; do \
		command -v $${tool%%:*} >/dev/null 2>&1 || missing="$$missing $${tool##*:}"; done; \
	if [ -n "$$missing" ]; then echo "Installing$$missing for the rehearsal"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; fi
	PYTHONPATH=. $(BIN)/python deploy/several_servers.py $(SEVERAL_ARGS)

clean:
	rm -rf $(VENV) instance mutants .pytest_cache .ruff_cache .mypy_cache translations/*/LC_MESSAGES/*.mo
