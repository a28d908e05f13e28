# sonde: the two commands are `make up` and `make test` (see README.md).
#
# Both first run scripts/setup.sh, which installs whatever a fresh Debian 12 machine is missing (apt packages,
# sysdig as the reference reader) and checks the Rust toolchain; when everything is present it only looks.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

# rustup's cargo, for shells that did not source ~/.cargo/env (CI runs `bash .ci/run` in a plain shell).
export PATH := $(HOME)/.cargo/bin:$(PATH)

CARGO ?= cargo
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
# The project's shared material (captures, rules) sits beside the repository.
SHARED ?= ../shared
UP_PID := $(TARGET_DIR)/sonde-up.pid

.PHONY: up down test setup build release fmt-check clippy unit-tests conformance golden clean

## up: set up, build, and start `sonde up` (the server and a local agent, embedded defaults, data in
## target/sonde-data) in the background; `make down` stops it
up: setup release
	@if [ -f $(UP_PID) ] && kill -0 "$$(cat $(UP_PID))" 2>/dev/null; then \
	  echo "make up: sonde is already running (pid $$(cat $(UP_PID)))"; \
	else \
	  nohup $(TARGET_DIR)/release/sonde up --data $(TARGET_DIR)/sonde-data >$(TARGET_DIR)/sonde-up.log 2>&1 & \
	  echo $$! > $(UP_PID); \
	  for i in $$(seq 1 100); do \
	    if (exec 3<>/dev/tcp/127.0.0.1/7070) 2>/dev/null; then break; fi; sleep 0.1; \
	  done; \
	  if ! kill -0 "$$(cat $(UP_PID))" 2>/dev/null; then \
	    echo "make up: sonde up did not start:"; cat $(TARGET_DIR)/sonde-up.log; exit 1; \
	  fi; \
	  echo "make up: sonde running (pid $$(cat $(UP_PID)), log $(TARGET_DIR)/sonde-up.log)"; \
	fi
	@echo "make up: dashboard at http://127.0.0.1:7070/ (first login in $(TARGET_DIR)/sonde-data/server/first-login.txt);"
	@echo "make up: API at http://127.0.0.1:7070/api/v1/ (keys in $(TARGET_DIR)/sonde-data/server/first-keys.txt);"
	@echo "make up: the local agent's metrics at http://127.0.0.1:9464/metrics; stop with 'make down'"

## down: stop what `make up` started
down:
	@if [ -f $(UP_PID) ] && kill "$$(cat $(UP_PID))" 2>/dev/null; then \
	  echo "make down: sonde stopped"; else echo "make down: nothing running"; fi
	@rm -f $(UP_PID)

## test: set up, then formatting, lints, build, and every test (conformance with sysdig included)
test: setup fmt-check clippy build unit-tests
	@if [ -f $(TARGET_DIR)/conformance-report.txt ]; then \
	  echo "--- conformance with sysdig 0.29.3 ($(TARGET_DIR)/conformance-report.txt) ---"; \
	  sed -n '/^Per capture:/,/^All:/p' $(TARGET_DIR)/conformance-report.txt; \
	fi

setup:
	@bash scripts/setup.sh

fmt-check: setup
	$(CARGO) fmt --all -- --check

clippy: setup
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The profile the tests use (dev), so the test run below reuses this build.
build: setup
	$(CARGO) build --workspace

release: setup
	$(CARGO) build --release --bin sonde

# nextest when it is installed (parallel across test binaries), cargo test otherwise. nextest does not run
# doctests, hence the doctest command, run first so that the run ends on nextest's summary of every test.
unit-tests: setup
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  if $(CARGO) metadata --no-deps --format-version 1 | grep -q '"kind":\["lib"\]'; then \
	    echo "+ $(CARGO) test --workspace --doc"; \
	    $(CARGO) test --workspace --doc; \
	  fi; \
	  echo "+ $(CARGO) nextest run --workspace --no-tests=fail"; \
	  $(CARGO) nextest run --workspace --no-tests=fail; \
	else \
	  echo "+ $(CARGO) test --workspace"; \
	  $(CARGO) test --workspace; \
	fi

## conformance: only the sysdig conformance test, with its table
conformance: setup
	$(CARGO) test -p sonde --test conformance -- --nocapture

## golden: regenerate tests/golden/ with Debian's sysdig 0.29.3 (installs it if missing)
golden:
	bash scripts/golden.sh

clean:
	$(CARGO) clean
