# make demo: set up and show an assignment's whole life.  make test: set up and run the tests.
VENV := .venv
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: setup demo test test-fast lint bench clean

setup: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $(STAMP)

demo: setup
	$(VENV)/bin/python scripts/demo.py

test: setup
	bash scripts/test.sh $(PYTEST_ARGS)

test-fast: setup
	bash scripts/test.sh -m "not slow" $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check graders tests reference hidden_tests scripts bench

bench: setup
	$(VENV)/bin/python bench/bench_grading.py
	$(VENV)/bin/python bench/bench_batch.py

clean:
	rm -rf $(VENV) gradebook/submitted gradebook/autograded gradebook/feedback gradebook/gradebook.db gradebook/.tfgrade
