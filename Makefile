# utserver. `make run` and `make test` set up everything they need themselves (see README.md).
PYTHON     ?= python3
VENV       ?= .venv
PY         := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.run-deps
TEST_STAMP := $(VENV)/.test-deps
# Settings path of `make run`: inside the repo, ignored by git.
STATE      ?= var
WEBUI_ZIP  := build/webui.zip
WEBUI_SRC  := $(shell find webui -type f ! -name '*.pyc' 2>/dev/null)

# Debian 12's own stack (python3-libtorrent 2.0.8, bottle 0.12, cheroot 9): the code must run on it.
DEB_VENV   := .venv-debian
DEB_STAMP  := $(DEB_VENV)/.deps
DEB_TESTS  ?= tests/settings tests/daemon tests/engine tests/api tests/hostile tests/qbittorrent tests/transmission

.PHONY: run test lint unit test-debian bench webui screenshots system-packages clean

# Install the Debian packages of $(1) that are missing: apt-get, so root when any is missing.
define apt_ensure
@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | \
	  grep -q 'ok installed' || echo "$$p"; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  [ "$$(id -u)" = 0 ] || { echo "missing Debian packages (installing them needs root):" $$missing >&2; exit 1; }; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

$(RUN_STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt -e .
	touch $@

$(TEST_STAMP): $(RUN_STAMP) requirements-test.txt
	$(PY) -m pip install -q -r requirements-test.txt
	touch $@

# Debian packages the tests drive for real: browser, tracker, UPnP gateway, packaging tools.
system-packages:
	$(call apt_ensure,$$(grep -v '^#' tests/system-packages.txt))

webui: $(WEBUI_ZIP)
$(WEBUI_ZIP): $(WEBUI_SRC) | $(RUN_STAMP)
	$(PY) webui/build.py $@

run: $(RUN_STAMP) $(WEBUI_ZIP)
	mkdir -p $(STATE)
	cp $(WEBUI_ZIP) $(STATE)/webui.zip
	$(VENV)/bin/utserver -configfile etc/utserver.conf -settingspath $(STATE)

# Everything, in this order: the checks, the suites on PyPI's stack, on Debian's, then the .deb
# installed into an arm64 Debian root under qemu (about 5 min; needs root).
test: $(TEST_STAMP) system-packages $(WEBUI_ZIP)
	$(MAKE) lint
	$(PY) -m pytest tests
	$(MAKE) test-debian
	$(MAKE) cross-test ARCH=arm64

# Static checks that fail the build: ruff, mypy on utserver/, the repository's structure
# (no import cycle, the engine's facade, module sizes, nothing outside the repo).
lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q tests/structure

# The pure layer (no daemon, no libtorrent session), in seconds.
unit: $(TEST_STAMP)
	$(PY) -m pytest -q -m unit tests

$(DEB_STAMP): requirements-test.txt | system-packages
	/usr/bin/python3 -m venv --system-site-packages $(DEB_VENV)
	$(DEB_VENV)/bin/python -m pip install -q pytest
	touch $@

# The core suites again on Debian's packages (the third-party client tests need PyPI's stack).
test-debian: $(DEB_STAMP) $(WEBUI_ZIP)
	PYTHONPATH=$(CURDIR) $(DEB_VENV)/bin/python -m pytest $(DEB_TESTS) --ignore=tests/api/test_clients.py \
	  -m "not pypi_client"

# Screenshots of the web UI for the README: a real daemon, a seeder and Chromium.
screenshots: $(TEST_STAMP) system-packages $(WEBUI_ZIP)
	$(PY) webui/screenshots.py docs/screenshots

# The three fronts' listings beside qbittorrent-nox and transmission-daemon (about 7 min; 1,000 only when quick).
BENCH_FRONTS_N = $(if $(BENCH_QUICK),1000,1000$(comma)10000)
comma := ,
BENCH_RESUME_ARGS = $(if $(BENCH_QUICK),--torrents 2 --size-mib 4 --seconds 20 --idle 30)
BENCH_MEMORY_N = $(if $(BENCH_QUICK),200,2000)
bench: $(TEST_STAMP) $(WEBUI_ZIP)
	$(PY) bench/run.py
	$(PY) bench/fronts.py --n $(BENCH_FRONTS_N)
	$(PY) bench/resume_writes.py $(BENCH_RESUME_ARGS)
	$(PY) bench/memory_per_torrent.py --n $(BENCH_MEMORY_N)

clean:
	rm -rf build $(VENV) $(DEB_VENV) .pytest_cache .mypy_cache .ruff_cache

-include packaging.mk
