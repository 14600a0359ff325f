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

.PHONY: run test bench webui system-packages clean

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
	@missing=$$(grep -v '^#' tests/system-packages.txt | while read -r p; do \
	  [ -z "$$p" ] || dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q 'ok installed' || echo "$$p"; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

webui: $(WEBUI_ZIP)
$(WEBUI_ZIP): $(WEBUI_SRC) | $(RUN_STAMP)
	$(PY) webui/build.py $@

run: $(RUN_STAMP) $(WEBUI_ZIP)
	mkdir -p $(STATE)
	cp $(WEBUI_ZIP) $(STATE)/webui.zip
	$(VENV)/bin/utserver -configfile etc/utserver.conf -settingspath $(STATE)

test: $(TEST_STAMP) system-packages $(WEBUI_ZIP)
	$(PY) -m pytest tests

bench: $(TEST_STAMP) $(WEBUI_ZIP)
	$(PY) bench/run.py

clean:
	rm -rf build $(VENV) .pytest_cache

-include packaging.mk
