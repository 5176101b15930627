# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
export SOLCX_BINARY_PATH := $(CURDIR)/.solcx
export PATH := $(CURDIR)/.venv/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: run test bench bench-tools bootstrap clean-chain

## run: local chain + deploy (if needed) + agent service; Ctrl-C stops everything.
run: bootstrap
	nmrx run

## test: every test and check (contract tests on ganache, agent tests, Slither), on
## TEST_WORKERS processes (default 2), each with its own ganache. Contracts are compiled first,
## so the workers load one finished build instead of racing to write it.
TEST_WORKERS ?= 2
test: bootstrap
	brownie compile >/dev/null
	rm -f build/tests-*.json
	pytest -n $(TEST_WORKERS) --dist loadfile

bootstrap:
	@bash scripts/bootstrap.sh

## clean-chain: forget the local chain of `make run` (its data directory and deployments).
clean-chain:
	rm -rf .nmrx/chain deployments/1338.json

## bench: gas tables of the contracts (recorded in README.md).
bench: bootstrap
	python -W ignore::FutureWarning scripts/bench_gas.py

## bench-tools: benchmark-only npm tools in bench/ (Hardhat's EDR node, autocannon), from its
## lockfile; `make test` and `make run` never need them.
bench-tools:
	npm ci --prefix bench --no-audit --no-fund
