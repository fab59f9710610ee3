.PHONY: run test check bench bench-authn

run:  ## install, create the demo tenant and serve it on http://127.0.0.1:8080
	scripts/run

test:  ## lint, types, layer contracts and the whole test suite (SQLite + PostgreSQL)
	scripts/check

bench:  ## admin API throughput against the bare ceiling (run by hand)
	scripts/bootstrap && .venv/bin/python bench/admin_api.py

bench-authn:  ## SECURID verifications/s at 32 connections, p50/p99 (needs wrk; run by hand)
	scripts/bootstrap && .venv/bin/python bench/authn.py
