.PHONY: run test check bench bench-bulk bench-authn bench-authn-timing

PORT ?= 8080

run:  ## install, create the demo tenant and serve it on http://127.0.0.1:$(PORT) (make run PORT=9000)
	PORT=$(PORT) scripts/run

test:  ## lint, types, layer contracts and the whole test suite (SQLite + PostgreSQL)
	scripts/check

bench:  ## admin API throughput against the bare ceiling (run by hand)
	scripts/bootstrap && .venv/bin/python bench/admin_api.py

bench-bulk:  ## mfadesk api bulk throughput at the default rate limit (run by hand)
	scripts/bootstrap && .venv/bin/python bench/bulk.py --unlimited

bench-authn:  ## SECURID verifications/s at 32 connections without and with PINs (needs wrk; by hand)
	scripts/bootstrap && .venv/bin/python bench/authn.py

bench-authn-timing:  ## median latency of a refused passcode: real user vs unknown, locked, … (run by hand)
	scripts/bootstrap && .venv/bin/python bench/authn_timing.py
