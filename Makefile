# Madoguchi: `make demo` runs a demo city, `make test` runs every test. Nothing else is needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test lint bench messages clean

$(VENV)/.runtime: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

demo: $(VENV)/.runtime
	@scripts/ensure-system-packages.sh demo
	exec env MADOGUCHI_DEMO=1 PORT=$(PORT) $(PY) manage.py serve

test: $(VENV)/.test
	@scripts/ensure-system-packages.sh test
	MADOGUCHI_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	MADOGUCHI_TESTING=1 $(PY) -m mypy
	MADOGUCHI_TESTING=1 $(PY) manage.py makemigrations --check --dry-run

bench: $(VENV)/.test
	@scripts/ensure-system-packages.sh bench
	$(PY) bench/submit.py
	$(PY) bench/forms.py
	$(PY) bench/backoffice.py
	$(PY) bench/search.py
	$(PY) bench/faq_chat.py
	$(PY) bench/reservation_rush.py
	$(PY) bench/waiting_room.py
	$(PY) bench/ruby.py
	$(PY) bench/scale.py
	$(PY) bench/signin.py
	$(PY) bench/flow.py
	$(PY) bench/counter.py
	$(PY) bench/dashboard.py
	$(PY) bench/payments.py
	$(PY) bench/crash.py

# For developers: extract strings (needs GNU gettext) and compile catalogs (pure Python).
messages: $(VENV)/.test
	MADOGUCHI_TESTING=1 $(PY) manage.py makemessages -l ja -l en -l ja_Easy -l zh_Hans -l ko -l vi -l pt_BR --ignore=.venv --ignore=bench
	$(PY) scripts/compile_messages.py

clean:
	rm -rf $(VENV) staticfiles var
