# kneetrack — set-up and everyday commands. See README.md.
PYTHON ?= python3.11
VENV   ?= .venv
PY      = $(VENV)/bin/python
PIP     = $(PY) -m pip
STAMP_RUN = $(VENV)/.installed-run
STAMP_DEV = $(VENV)/.installed-dev

.PHONY: demo test lint bench clean fuzz

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(STAMP_RUN): pyproject.toml constraints.txt | $(PY)
	$(PIP) install -q -c constraints.txt -e .
	touch $@

$(STAMP_DEV): pyproject.toml constraints.txt | $(PY)
	$(PIP) install -q -c constraints.txt -e ".[dev,pdf,postgres,ray,web]"
	touch $@ $(STAMP_RUN)

## demo: install and run the whole pipeline on the bundled sample runner
demo: $(STAMP_RUN)
	$(VENV)/bin/kneetrack demo --out out/demo

## test: install everything (system packages too, when root) and run the whole test suite
test: $(STAMP_DEV)
	bash scripts/test.sh

## fuzz: the fuzz and crash-safety tests, longer (random seeds, 1000 examples, 20 kills each)
fuzz: $(STAMP_DEV)
	HYPOTHESIS_PROFILE=fuzz KT_CRASH_KILLS=20 $(PY) -m pytest -q -p no:cacheprovider \
		tests/fuzz tests/store/test_crash_safety.py tests/batch/test_crash_safety.py

lint: $(STAMP_DEV)
	$(VENV)/bin/ruff check src tests benchmarks support

bench: $(STAMP_DEV)
	$(PY) benchmarks/kinematics_accuracy.py
	$(PY) benchmarks/video_throughput.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
