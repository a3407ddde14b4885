# Two commands for a new machine: `make run` and `make test`. `make bench` for the benchmarks.
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test lint bench clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-test.txt
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	$(PY) -m loaders init --sample-if-empty
	@echo ""
	@echo "Pilotoversikt kjører på http://$(ADDRESS):$(PORT)  (Ctrl+C stopper)"
	@echo ""
	$(PY) -m streamlit run dashboard.py --server.port $(PORT) --server.address $(ADDRESS)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .

test: $(VENV)/.test-installed
	bash scripts/ensure-system-packages
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

bench: $(VENV)/.test-installed
	bash scripts/ensure-system-packages
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis tests/screenshots benchmarks/work
