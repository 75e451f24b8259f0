# Developer commands. Each target is a thin wrapper over a script in scripts/, which also works
# on its own from any directory.

.PHONY: help venv run test fuzz bench lint screenshots clean distclean

help:
	@echo "make run     migrate, load demo data, serve on 127.0.0.1:$${PORT:-8000}"
	@echo "make test    pytest on SQLite and on a throwaway PostgreSQL (ARGS=\"tests/api -x\"), the fuzzer, the clock runs"
	@echo "make fuzz    schemathesis over the OpenAPI document on both databases (FUZZ_EXAMPLES=…)"
	@echo "make bench   every bench/*/run.py with throwaway Redis and PostgreSQL"
	@echo "make lint    ruff check ."
	@echo "make screenshots  every citizen/public page at 375 and 1280 px into docs/screenshots/"
	@echo "make clean   caches; make distclean also removes .venv"

venv:
	@bash scripts/venv.sh

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(ARGS)

fuzz:
	@TEST_STEPS=fuzz bash scripts/test.sh

bench:
	@bash scripts/bench.sh $(BENCH)

screenshots:
	@bash scripts/screenshots.sh

lint: venv
	.venv/bin/ruff check .

clean:
	find . -path ./.venv -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache bench/results/*.tmp

distclean: clean
	rm -rf .venv
