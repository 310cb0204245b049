# Two commands on a fresh machine: `make demo` and `make test`. Both install what they need.
.PHONY: demo test lint bench setup

setup:
	bash scripts/bootstrap.sh

demo:
	AG_WITH_BROWSER=0 bash scripts/bootstrap.sh
	bash examples/demo.sh

lint: setup
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/mypy
	.venv/bin/lint-imports

test: lint
	.venv/bin/python -m pytest -q -p no:cacheprovider tests

bench:
	AG_WITH_BENCH=1 bash scripts/bootstrap.sh
	.venv/bin/python -m bench.run
